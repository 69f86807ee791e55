package cli

import "github.com/schollz/progressbar/v3"

// progressBar returns a progress callback of the form storage's long
// operations take (done of total), drawing a bar on stderr when it is a
// terminal and nothing otherwise, and the function that finishes the bar.
func (a *app) progressBar(description string) (progress func(done, total int), finish func()) {
	var bar *progressbar.ProgressBar
	progress = func(done, total int) {
		if !a.env.Terminal {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.env.Stderr),
				progressbar.OptionSetDescription(description), progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish())
		}
		bar.Set(done)
	}
	finish = func() {
		if bar != nil {
			bar.Finish()
		}
	}
	return progress, finish
}
