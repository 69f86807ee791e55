package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// metric is one reported figure.
type metric struct {
	Key, Label string
	Format     string // fmt verb for the tables
}

// metrics are every figure of one engine on one size, in table order.
var metrics = []metric{
	{"ingest_s", "ingest wall time (s)", "%.1f"},
	{"ingest_articles_per_s", "ingest articles/s", "%.0f"},
	{"ingest_mb_per_s", "ingest MB of text/s", "%.2f"},
	{"ingest_peak_rss_mb", "ingest peak RSS (MB)", "%.0f"},
	{"disk_mb", "on disk (MB)", "%.1f"},
	{"disk_ratio", "on disk / raw text", "%.2f"},
	{"open_ms", "open (ms)", "%.1f"},
	{"cold_p50_ms", "cold p50 (ms)", "%.3f"},
	{"cold_p95_ms", "cold p95 (ms)", "%.3f"},
	{"cold_p99_ms", "cold p99 (ms)", "%.3f"},
	{"cold_max_ms", "cold max (ms)", "%.2f"},
	{"warm_p50_ms", "warm p50 (ms)", "%.3f"},
	{"warm_p95_ms", "warm p95 (ms)", "%.3f"},
	{"warm_p99_ms", "warm p99 (ms)", "%.3f"},
	{"warm_max_ms", "warm max (ms)", "%.2f"},
	{"warm_p50_w1_8_ms", "warm p50, questions of 1–8 words (ms)", "%.3f"},
	{"warm_p99_w1_8_ms", "warm p99, questions of 1–8 words (ms)", "%.3f"},
	{"warm_p50_w9_16_ms", "warm p50, questions of 9–16 words (ms)", "%.3f"},
	{"warm_p99_w9_16_ms", "warm p99, questions of 9–16 words (ms)", "%.3f"},
	{"warm_p50_w17_up_ms", "warm p50, questions of 17 words or more (ms)", "%.3f"},
	{"warm_p99_w17_up_ms", "warm p99, questions of 17 words or more (ms)", "%.3f"},
	{"serve_rss_mb", "serving RSS after the query set (MB)", "%.0f"},
	{"serve_rss_anon_mb", "… of which anonymous (heap) (MB)", "%.0f"},
	{"serve_rss_file_mb", "… of which file-backed (mmap) (MB)", "%.0f"},
	{"serve_anon_growth_mb", "anonymous RSS growth over the warm pass (MB)", "%.1f"},
	{"serve_heap_live_mb", "live Go heap after the query set (MB)", "%.1f"},
	{"serve_heap_growth_mb", "live Go heap growth over the warm pass (MB)", "%.2f"},
	{"known_r1", "known-item recall@1", "%.4f"},
	{"known_r10", "known-item recall@10", "%.4f"},
	{"xquad_r1", "XQuAD vi recall@1", "%.4f"},
}

// figuresOf gathers the figures of one run of one engine.
func figuresOf(info corpusInfo, ing ingestResult, q queryResult) map[string]float64 {
	raw := mb(info.RawBytes)
	fig := map[string]float64{
		"ingest_s":              ing.Seconds,
		"ingest_articles_per_s": float64(info.Articles) / ing.Seconds,
		"ingest_mb_per_s":       raw / ing.Seconds,
		"ingest_peak_rss_mb":    ing.PeakRSSMB,
		"disk_mb":               mb(ing.DiskBytes),
		"disk_ratio":            mb(ing.DiskBytes) / raw,
		"open_ms":               q.OpenMs,
		"cold_p50_ms":           q.Cold.P50,
		"cold_p95_ms":           q.Cold.P95,
		"cold_p99_ms":           q.Cold.P99,
		"cold_max_ms":           q.Cold.Max,
		"warm_p50_ms":           q.Warm.P50,
		"warm_p95_ms":           q.Warm.P95,
		"warm_p99_ms":           q.Warm.P99,
		"warm_max_ms":           q.Warm.Max,
		"serve_rss_mb":          q.Memory["VmRSS"],
		"serve_rss_anon_mb":     q.Memory["RssAnon"],
		"serve_rss_file_mb":     q.Memory["RssFile"],
		"serve_anon_growth_mb":  q.Memory["RssAnon"] - q.MemoryCold["RssAnon"],
		"serve_heap_live_mb":    q.Memory["HeapLive"],
		"serve_heap_growth_mb":  q.Memory["HeapLive"] - q.MemoryCold["HeapLive"],
		"known_r1":              q.KnownAt1,
		"known_r10":             q.KnownAt10,
		"xquad_r1":              q.XQuADAt1,
	}
	for _, b := range wordBuckets {
		fig["warm_p50_"+b.key+"_ms"] = q.WarmByWords[b.key].P50
		fig["warm_p99_"+b.key+"_ms"] = q.WarmByWords[b.key].P99
	}
	return fig
}

// sizeResult holds every run of every engine on one corpus size, and their
// medians.
type sizeResult struct {
	Name         string                          `json:"size"`
	Articles     int                             `json:"articles"`
	RawMB        float64                         `json:"raw_text_mb"`
	Queries      int                             `json:"queries"`
	TitleQueries int                             `json:"title_queries"`
	XQuADQueries int                             `json:"xquad_queries"`
	Runs         int                             `json:"runs"`
	PerRun       map[string][]map[string]float64 `json:"per_run"` // engine → runs
	Median       map[string]map[string]float64   `json:"median"`  // engine → figure
	Ratio        map[string]float64              `json:"ratio_baobot_over_bleve"`
	Serve        *serveResult                    `json:"serve,omitempty"` // the serve phase, once per size
}

func (s *sizeResult) add(engine string, fig map[string]float64) {
	if s.PerRun == nil {
		s.PerRun = map[string][]map[string]float64{}
	}
	s.PerRun[engine] = append(s.PerRun[engine], fig)
}

// summarize computes the medians over runs and the ratios baobot/Bleve.
func (s *sizeResult) summarize() {
	s.Median = map[string]map[string]float64{}
	for engine, runs := range s.PerRun {
		m := map[string]float64{}
		for _, mt := range metrics {
			xs := make([]float64, len(runs))
			for i, r := range runs {
				xs[i] = r[mt.Key]
			}
			m[mt.Key] = median(xs)
		}
		s.Median[engine] = m
	}
	b, l := s.Median["baobot"], s.Median["bleve"]
	if b == nil || l == nil {
		return
	}
	s.Ratio = map[string]float64{}
	for _, mt := range metrics {
		if l[mt.Key] != 0 {
			s.Ratio[mt.Key] = b[mt.Key] / l[mt.Key]
		}
	}
}

// results is the whole benchmark, as results.json holds it.
type results struct {
	Date        string        `json:"date"`
	Machine     machine       `json:"machine"`
	Command     string        `json:"command"`
	Batch       int           `json:"batch"`
	Seed        uint64        `json:"seed"`
	Notes       []string      `json:"notes"`
	WallSeconds float64       `json:"wall_seconds"`
	Sizes       []*sizeResult `json:"sizes"`
}

type machine struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go"`
	OS        string `json:"os"`
	CPU       string `json:"cpu_model"`
	MemoryGB  int    `json:"memory_gb"`
}

func newResults(cfg config) *results {
	res := &results{
		Date: time.Now().UTC().Format("2006-01-02"),
		Machine: machine{
			CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH,
			CPU: cpuModel(), MemoryGB: memoryGB(),
		},
		Command: "cd bench && " + cfg.command,
		Batch:   cfg.batch, Seed: cfg.seed,
		Notes: []string{
			"Figures are medians over the runs of each size; per_run holds every run.",
			"Documents are article bodies only: titles and summaries are not indexed, titles are the known-item queries.",
			"The 4x corpus indexes every article four times under distinct IDs; a hit on any copy counts as the article.",
			"Ingest time is the time spent inside the engine (open, every batch, close); reading the source file is not counted.",
			"Cold: a fresh process, the index files evicted from the page cache (posix_fadvise DONTNEED), the first 300 queries. Warm: then every query; recall is measured on this pass.",
			"baobot answers with Searcher.Ask (top 10, snippets chosen and marked); Bleve returns the top 10 document IDs of a match query.",
			"Serving RSS is read from /proc/self/status after both passes; file-backed RSS is the mmap'd index pages touched, which the kernel can reclaim. Live heap is runtime.MemStats.HeapAlloc after a forced collection (read after the RSS).",
			"MB are MiB (2^20 bytes).",
		},
	}
	if cfg.serve {
		res.Notes = append(res.Notes, "`baobot serve` rows: once per size, after baobot's first query run, the real binary (go build of the repository) runs `baobot serve` on the same index against a local Discord (bot/discordtest), with seeds off, no per-user rate limit and metrics on a free port. The query set is asked twice as /ask slash commands, one at a time, by one user; its memory is read from /proc/PID/status every 300 questions, after the first pass and after the second (growth over the second pass is what more questions would add), then it is stopped with SIGINT. Its index pages are warm (the query run just read them); file-backed RSS includes the binary's own pages. The /ask times run from dispatching the interaction to the reply recorded by the fake Discord: they include the gateway and REST round trips on 127.0.0.1, unlike the query child's latencies. In results.json they are under sizes[].serve, with the error if the phase failed; -serve=false skips the phase.")
	}
	return res
}

// serveMarkdown renders the serve phase of every size that has one.
func (r *results) serveMarkdown(b *strings.Builder) {
	var rows []*sizeResult
	for _, s := range r.Sizes {
		if s.Serve != nil {
			rows = append(rows, s)
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("## `baobot serve` answering the query set on a local Discord\n\n")
	b.WriteString("| corpus | articles | asked | answered | RSS MB after 300 | RSS MB after one pass | RSS MB after two | anon MB | file MB | peak RSS MB | RSS growth MB over pass 2 | anon growth MB over pass 2 | /ask p50 ms | /ask p99 ms | exit | error |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, s := range rows {
		sv, f := s.Serve, s.Serve.Figures
		cell := func(key, format string) string {
			if v, ok := f[key]; ok {
				return fmt.Sprintf(format, v)
			}
			return "–"
		}
		errText := "–"
		if sv.Error != "" {
			errText = strings.ReplaceAll(firstLine(sv.Error), "|", "\\|")
		}
		fmt.Fprintf(b, "| %s | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n",
			s.Name, s.Articles, sv.Asked, sv.Answered, cell("proc_rss_300_mb", "%.1f"), cell("proc_rss_pass1_mb", "%.1f"), cell("proc_rss_mb", "%.1f"),
			cell("proc_rss_anon_mb", "%.1f"), cell("proc_rss_file_mb", "%.1f"), cell("proc_hwm_mb", "%.1f"),
			cell("proc_rss_growth_mb", "%+.1f"), cell("proc_anon_growth_mb", "%+.1f"),
			cell("discord_p50_ms", "%.2f"), cell("discord_p99_ms", "%.2f"), sv.ExitCode, errText)
	}
	b.WriteString("\n")
	for _, s := range rows {
		if len(s.Serve.Samples) < 2 {
			continue
		}
		points := make([]string, len(s.Serve.Samples))
		for i, m := range s.Serve.Samples {
			points[i] = fmt.Sprintf("%d → %.1f", m.Questions, m.Anon)
		}
		fmt.Fprintf(b, "%s corpus, `baobot serve` anonymous RSS (MB) after N questions: %s.\n\n", s.Name, strings.Join(points, ", "))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func memoryGB() int {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	var kb int
	fmt.Sscanf(string(b), "MemTotal: %d kB", &kb)
	return (kb + 1<<19) >> 20
}

// write writes results.json, results.md and results.png to dir.
func (r *results) write(dir string) error {
	if err := writeJSON(filepath.Join(dir, "results.json"), r); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.md"), []byte(r.markdown()), 0o644); err != nil {
		return err
	}
	return r.plot(filepath.Join(dir, "results.png"))
}

// markdown renders the tables: every figure of the largest single-copy
// size side by side with ratios, then the scaling over sizes.
func (r *results) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# baobot vs Bleve v2.6.1\n\n")
	fmt.Fprintf(&b, "%s, %d CPUs (%s), %d GB, %s. Command: `%s`.\n\n", r.Date, r.Machine.CPUs, r.Machine.CPU,
		r.Machine.MemoryGB, r.Machine.GoVersion, r.Command)
	var main *sizeResult
	for _, s := range r.Sizes {
		if s.Name == "full" || main == nil {
			main = s
		}
	}
	if main != nil {
		fmt.Fprintf(&b, "## %s corpus: %d articles, %.1f MB of text, %d queries (%d titles, %d XQuAD), median of %d runs\n\n",
			main.Name, main.Articles, main.RawMB, main.Queries, main.TitleQueries, main.XQuADQueries, main.Runs)
		b.WriteString("| figure | baobot | Bleve | baobot/Bleve |\n| --- | ---: | ---: | ---: |\n")
		for _, mt := range metrics {
			bv, lv := main.Median["baobot"][mt.Key], main.Median["bleve"][mt.Key]
			ratio := "–"
			if v, ok := main.Ratio[mt.Key]; ok {
				ratio = fmt.Sprintf("%.2f", v)
			}
			fmt.Fprintf(&b, "| %s | "+mt.Format+" | "+mt.Format+" | %s |\n", mt.Label, bv, lv, ratio)
		}
		if sv := main.Serve; sv != nil {
			for _, mt := range serveMetrics {
				v, ok := sv.Figures[mt.Key]
				cell := "–"
				if ok {
					cell = fmt.Sprintf(mt.Format, v)
				}
				fmt.Fprintf(&b, "| %s | %s | – | – |\n", mt.Label, cell)
			}
		}
		b.WriteString("\n")
		if main.Serve != nil && main.Serve.Error != "" {
			fmt.Fprintf(&b, "The serve phase failed: %s\n\n", firstLine(main.Serve.Error))
		}
	}
	r.serveMarkdown(&b)
	b.WriteString("## Scaling\n\n")
	b.WriteString("| corpus | articles | text MB | runs | engine | ingest s | MB/s | ingest peak RSS MB | disk MB | disk/text | warm p50 ms | warm p99 ms | cold p99 ms | serve RSS MB | known R@1 | known R@10 | XQuAD R@1 |\n")
	b.WriteString("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, s := range r.Sizes {
		for _, e := range engineNames {
			m := s.Median[e]
			if m == nil {
				continue
			}
			fmt.Fprintf(&b, "| %s | %d | %.1f | %d | %s | %.1f | %.2f | %.0f | %.1f | %.2f | %.3f | %.3f | %.3f | %.0f | %.4f | %.4f | %.4f |\n",
				s.Name, s.Articles, s.RawMB, s.Runs, e, m["ingest_s"], m["ingest_mb_per_s"], m["ingest_peak_rss_mb"],
				m["disk_mb"], m["disk_ratio"], m["warm_p50_ms"], m["warm_p99_ms"], m["cold_p99_ms"], m["serve_rss_mb"],
				m["known_r1"], m["known_r10"], m["xquad_r1"])
		}
	}
	b.WriteString("\nNotes:\n\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "- %s\n", n)
	}
	return b.String()
}
