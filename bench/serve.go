package main

// The serve phase measures the real thing: a `baobot serve` process, built
// from this repository, answering the query set as /ask slash commands from
// a local Discord (bot/discordtest). Its memory is read from
// /proc/PID/status, so the figures are the bot's alone, without Bleve's
// code and heap that the query child carries.

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

const (
	// serveToken is a fake bot token, shaped as Discord's are.
	serveToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.benchServeTokenabcdefghijklmnopqrstu"
	// serveWait bounds the wait for the bot to register its commands, and
	// for each reply: far beyond a normal answer, so a slow one is measured.
	serveWait = 30 * time.Second
	// serveStop bounds how long serve may take to stop once signalled (it
	// gives the replies in flight 15 s).
	serveStop = 40 * time.Second
	// serveMaxQuestion is the longest question baobot accepts by default
	// (retrieval.max_question_chars); longer ones are skipped.
	serveMaxQuestion = 1000
	// serveMaxFailures consecutive unanswered questions end the phase.
	serveMaxFailures = 5
	// servePasses is how many times serve is asked the query set: memory
	// that grew over the second pass would grow with every question.
	servePasses = 2
)

// serveMetrics are the figures of the serve phase, in table order. They are
// measured once per size (not per run), so they live beside the medians.
var serveMetrics = []metric{
	{"proc_rss_mb", "`baobot serve` RSS after the query set twice (MB)", "%.1f"},
	{"proc_rss_anon_mb", "… of which anonymous (heap) (MB)", "%.1f"},
	{"proc_rss_file_mb", "… of which file-backed (binary, mmap) (MB)", "%.1f"},
	{"proc_hwm_mb", "`baobot serve` peak RSS (VmHWM) (MB)", "%.1f"},
	{"proc_rss_300_mb", "`baobot serve` RSS after the first 300 questions (MB)", "%.1f"},
	{"proc_anon_300_mb", "… of which anonymous (MB)", "%.1f"},
	{"proc_rss_pass1_mb", "`baobot serve` RSS after the first pass over the query set (MB)", "%.1f"},
	{"proc_anon_pass1_mb", "… of which anonymous (MB)", "%.1f"},
	{"proc_rss_growth_mb", "`baobot serve` RSS growth over the second pass (MB)", "%.1f"},
	{"proc_anon_growth_mb", "`baobot serve` anonymous RSS growth over the second pass (MB)", "%.1f"},
	{"questions_answered", "questions answered by `baobot serve`", "%.0f"},
	{"discord_p50_ms", "/ask question → reply p50, incl. the fake Discord round trip (ms)", "%.2f"},
	{"discord_p99_ms", "/ask question → reply p99, incl. the fake Discord round trip (ms)", "%.2f"},
}

// serveResult is what the serve phase reports for one corpus size.
type serveResult struct {
	Figures         map[string]float64 `json:"figures,omitempty"`
	Memory          map[string]float64 `json:"memory_mb,omitempty"`            // after both passes
	MemoryEarly     map[string]float64 `json:"memory_300_mb,omitempty"`        // after the first 300 questions
	MemoryFirstPass map[string]float64 `json:"memory_first_pass_mb,omitempty"` // after the first pass
	Samples         []memorySample     `json:"memory_every_300"`               // every 300 questions, and after the last
	Latency         latency            `json:"discord_latency"`
	Asked           int                `json:"asked"`
	Answered        int                `json:"answered"`
	Skipped         int                `json:"skipped_too_long"`
	Failed          int                `json:"failed"`
	ArticlesBefore  uint64             `json:"articles_before"`
	ArticlesAfter   uint64             `json:"articles_after"`
	ExitCode        int                `json:"exit_code"`
	Error           string             `json:"error,omitempty"`
}

// memorySample is serve's resident set, in MB, after some questions.
type memorySample struct {
	Questions int     `json:"questions"`
	RSS       float64 `json:"rss_mb"`
	Anon      float64 `json:"anon_mb"`
	File      float64 `json:"file_mb"`
}

// buildBaobot builds the baobot binary from the repository at repo into
// dir, with the repository's own go.mod (not the bench's, whose dependency
// versions Bleve may have raised).
func buildBaobot(repo, dir string) (string, error) {
	bin, err := filepath.Abs(filepath.Join(dir, "baobot"))
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %w\n%s", repo, err, out)
	}
	return bin, nil
}

// measureServe runs bin as `baobot serve` on the database dbPath against a
// local Discord, asks it every query of queriesFile as /ask, servePasses
// times, and reads its memory every 300 questions and after each pass. It never fails:
// what went wrong is in the result's Error, beside what was measured.
func measureServe(bin, dbPath, queriesFile, logPath string) *serveResult {
	r := &serveResult{}
	if err := r.run(bin, dbPath, queriesFile, logPath); err != nil {
		r.Error = err.Error()
		log.Printf("serve phase: %v", err)
	}
	r.figures()
	return r
}

func (r *serveResult) run(bin, dbPath, queriesFile, logPath string) (err error) {
	var queries []query
	raw, err := os.ReadFile(queriesFile)
	if err == nil {
		err = json.Unmarshal(raw, &queries)
	}
	if err != nil {
		return err
	}
	// serve runs in the log's folder: the database path must not be
	// relative to ours.
	if dbPath, err = filepath.Abs(dbPath); err != nil {
		return err
	}
	if r.ArticlesBefore, err = countArticles(dbPath); err != nil {
		return fmt.Errorf("counting the articles before serve: %w", err)
	}

	// With a nil testing.TB, discordtest panics where it would fail a test
	// (New, when it cannot listen; SlashCommand, see ask).
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("discordtest: %v", p)
		}
	}()
	srv := discordtest.New(nil, discordtest.WithToken(serveToken),
		discordtest.WithHeartbeatInterval(2*time.Second)) // heartbeats early, see stop
	defer srv.Close()

	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Dir = filepath.Dir(logPath) // no stray baobot.toml or relative path from the caller
	cmd.Env = serveEnv(map[string]string{
		"BAOBOT_DISCORD_TOKEN":                serveToken,
		"BAOBOT_DISCORD_API_URL":              srv.URL(),
		"BAOBOT_DB":                           dbPath,
		"BAOBOT_DATABASE_SEED":                "false",
		"BAOBOT_METRICS_ADDR":                 "127.0.0.1:0",
		"BAOBOT_DISCORD_RATE_LIMIT_QUESTIONS": "0",
	})
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped { // an early return: do not leave serve behind
			_ = cmd.Process.Kill()
			<-exited
		}
		if err != nil {
			err = fmt.Errorf("%w\nserve's log (%s) ends:\n%s", err, logPath, tail(logPath, 2000))
		}
	}()

	registered := make(chan error, 1)
	go func() { _, err := srv.WaitForCommands("", serveWait); registered <- err }()
	select {
	case err := <-registered:
		if err != nil {
			return fmt.Errorf("serve registered no commands: %w", err)
		}
	case werr := <-exited:
		stopped = true
		return r.exited("before registering its commands", werr)
	}
	pid := cmd.Process.Pid
	var lat []float64
	failures := 0
	for i := range servePasses * len(queries) {
		q := queries[i%len(queries)]
		if i > 0 && i%coldQueries == 0 {
			m := procStatusOf(pid)
			r.Samples = append(r.Samples, memorySample{Questions: i, RSS: m["VmRSS"], Anon: m["RssAnon"], File: m["RssFile"]})
			if i == coldQueries {
				r.MemoryEarly = m
			}
		}
		if i == len(queries) {
			r.MemoryFirstPass = procStatusOf(pid)
		}
		if utf8.RuneCountInString(q.Text) > serveMaxQuestion {
			r.Skipped++
			continue
		}
		select {
		case werr := <-exited:
			stopped = true
			return r.exited(fmt.Sprintf("after %d questions", r.Asked), werr)
		default:
		}
		r.Asked++
		began := time.Now()
		if err := ask(srv, q.Text); err != nil {
			r.Failed++
			if failures++; failures >= serveMaxFailures {
				return fmt.Errorf("%d questions in a row unanswered, the last %q: %w", failures, q.Text, err)
			}
			continue
		}
		failures = 0
		lat = append(lat, ms(time.Since(began)))
		r.Answered++
	}
	r.Memory = procStatusOf(pid)
	r.Samples = append(r.Samples, memorySample{Questions: servePasses * len(queries), RSS: r.Memory["VmRSS"], Anon: r.Memory["RssAnon"], File: r.Memory["RssFile"]})
	r.Latency = summarize(lat)

	// discordgo must have sent a heartbeat before its session closes (see
	// discordtest's doc), or serve may never stop.
	_ = srv.WaitForHeartbeat(10 * time.Second)
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case werr := <-exited:
		stopped = true
		if werr != nil {
			return r.exited("on SIGINT", werr)
		}
	case <-time.After(serveStop):
		return fmt.Errorf("serve did not stop within %v of SIGINT", serveStop)
	}
	if r.ArticlesAfter, err = countArticles(dbPath); err != nil {
		return fmt.Errorf("counting the articles after serve: %w", err)
	}
	if r.ArticlesAfter != r.ArticlesBefore {
		return fmt.Errorf("serve changed the index: %d articles before, %d after", r.ArticlesBefore, r.ArticlesAfter)
	}
	return nil
}

// exited records how serve exited (werr, from cmd.Wait) and returns it as
// an error.
func (r *serveResult) exited(when string, werr error) error {
	var ee *exec.ExitError
	if errors.As(werr, &ee) {
		r.ExitCode = ee.ExitCode()
	}
	return fmt.Errorf("serve exited %s: %v", when, werr)
}

// ask asks question as an /ask slash command of the default user and waits
// for a reply that says something.
func ask(srv *discordtest.Server, question string) (err error) {
	defer func() { // SlashCommand panics, with no testing.TB, if no gateway session is ready
		if p := recover(); p != nil {
			err = fmt.Errorf("discordtest: %v", p)
		}
	}()
	in := srv.SlashCommand(discordtest.Slash{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.StringOption("question", question)}})
	reply, err := srv.WaitForReply(in, serveWait)
	if err == nil && reply.Content == "" && len(reply.Embeds) == 0 {
		err = errors.New("an empty reply")
	}
	return err
}

// figures fills r.Figures from what was measured; a figure that could not
// be measured is left out.
func (r *serveResult) figures() {
	f := map[string]float64{}
	if m := r.Memory; m != nil {
		f["proc_rss_mb"], f["proc_rss_anon_mb"], f["proc_rss_file_mb"], f["proc_hwm_mb"] =
			m["VmRSS"], m["RssAnon"], m["RssFile"], m["VmHWM"]
	}
	if e := r.MemoryEarly; e != nil {
		f["proc_rss_300_mb"], f["proc_anon_300_mb"] = e["VmRSS"], e["RssAnon"]
	}
	if p := r.MemoryFirstPass; p != nil {
		f["proc_rss_pass1_mb"], f["proc_anon_pass1_mb"] = p["VmRSS"], p["RssAnon"]
		if m := r.Memory; m != nil {
			f["proc_rss_growth_mb"] = m["VmRSS"] - p["VmRSS"]
			f["proc_anon_growth_mb"] = m["RssAnon"] - p["RssAnon"]
		}
	}
	f["questions_answered"] = float64(r.Answered)
	if r.Answered > 0 {
		f["discord_p50_ms"], f["discord_p99_ms"] = r.Latency.P50, r.Latency.P99
	}
	r.Figures = f
}

// serveEnv is this process's environment without any BAOBOT_ variable (a
// developer's own configuration must not leak in), plus set.
func serveEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BAOBOT_") {
			env = append(env, kv)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// countArticles opens the index (serve must not hold it) and returns how
// many articles it holds.
func countArticles(path string) (uint64, error) {
	db, err := storage.Open(path, storage.Options{Analyzer: retrieval.NewAnalyzer(), Timeout: 5 * time.Second, ReadOnly: true})
	if err != nil {
		return 0, err
	}
	st, err := db.Stats()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return st.Articles, err
}

// tail returns the last n bytes of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
