// Command bench measures baobot against Bleve v2 on the same corpus and the
// same queries, in the same run: ingest time and memory, size on disk, query
// latency cold and warm, serving memory, and retrieval quality. It lives in
// its own module so that Bleve never becomes a dependency of the bot.
//
// Usage, from this folder:
//
//	go run . -runs 3      # the full benchmark (1k, 5k, full and 4× corpora)
//	go run . -quick       # a smoke test: the 1k corpus, one run
//
// Results go to results/: results.json (every figure of every run, and the
// medians), results.md (the tables) and results.png (latency and size
// against corpus size). Indexes are built under results/tmp/, which git
// ignores, and removed at the end unless -keep is given.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/baobot/baobot/evaluate"
)

func main() {
	var (
		runs      = flag.Int("runs", 3, "runs per corpus size; figures are the medians")
		runs4x    = flag.Int("runs-4x", 1, "runs for the 4× corpus (at most -runs): its ingests are the longest")
		quick     = flag.Bool("quick", false, "smoke test: the 1k corpus, one run")
		sizesFlag = flag.String("sizes", "1k,5k,full,4x", "corpus sizes, comma-separated: 1k, 5k, full, 4x")
		enginesF  = flag.String("engines", "baobot,bleve", "engines, comma-separated")
		news      = flag.String("data", "../../shared/data/vinews/vinews.jsonl.gz", "the news articles (gzip JSON Lines)")
		xquad     = flag.String("xquad", "../../shared/data/xquad/xquad.vi.dev.json", "the XQuAD file whose paragraphs join the corpus")
		titles    = flag.Int("titles", 2000, "known-item queries (article titles) per size")
		seed      = flag.Uint64("seed", 5, "seed for drawing the title queries")
		batch     = flag.Int("batch", 500, "documents per ingest batch (baobot's default database.batch_size)")
		out       = flag.String("out", "results", "output folder")
		tmp       = flag.String("tmp", "", "folder for the indexes (default OUT/tmp)")
		keep      = flag.Bool("keep", false, "keep the indexes")
		profile   = flag.String("profile", "", "write CPU profiles of every child phase to this folder")
		serve     = flag.Bool("serve", true, "measure a `baobot serve` process answering the query set on a local Discord, once per size (baobot engine only)")
		repo      = flag.String("repo", "..", "the baobot repository, from which the serve phase builds baobot")
		transform = flag.String("transform", "none", "rewrite every question as `baobot eval squad --transform` does: none, strip-accents, nfd or old-tone (both engines get the same questions)")

		child        = flag.String("child", "", "internal: run one phase in this process")
		childEngine  = flag.String("engine", "", "internal: the child's engine")
		childDir     = flag.String("dir", "", "internal: the child's index folder")
		childSize    = flag.String("size", "", "internal: the child's corpus size")
		childQueries = flag.String("queries", "", "internal: the child's query file")
		childProfile = flag.String("child-profile", "", "internal: the child's CPU profile file")
	)
	flag.Parse()
	log.SetFlags(log.Ltime)

	if *child != "" {
		size, err := sizeByName(*childSize)
		if err == nil {
			err = runChild(childArgs{
				Phase: *child, Engine: *childEngine, Dir: *childDir, Size: size, News: *news,
				XQuAD: *xquad, Queries: *childQueries, Batch: *batch, Profile: *childProfile,
			})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}

	rewrite, err := evaluate.Transform(*transform)
	if err != nil {
		log.Fatal(err)
	}
	cfg := config{
		runs: *runs, runs4x: min(*runs4x, *runs), news: *news, xquad: *xquad, titles: *titles,
		seed: *seed, batch: *batch, out: *out, tmp: *tmp, keep: *keep, profile: *profile,
		serve: *serve, repo: *repo, rewrite: rewrite,
		engines: strings.Split(*enginesF, ","), command: "go run . " + strings.Join(os.Args[1:], " "),
	}
	if *quick {
		cfg.runs, cfg.runs4x, *sizesFlag = 1, 1, "1k"
	}
	for _, name := range strings.Split(*sizesFlag, ",") {
		s, err := sizeByName(strings.TrimSpace(name))
		if err != nil {
			log.Fatal(err)
		}
		cfg.sizes = append(cfg.sizes, s)
	}
	if cfg.tmp == "" {
		cfg.tmp = filepath.Join(cfg.out, "tmp")
	}
	if err := run(cfg); err != nil {
		log.Fatal(err)
	}
}

type config struct {
	runs, runs4x int
	sizes        []sizeSpec
	engines      []string
	news, xquad  string
	titles       int
	seed         uint64
	batch        int
	out, tmp     string
	keep         bool
	profile      string
	serve        bool   // run the serve phase
	repo         string // where the serve phase builds baobot
	command      string
	rewrite      func(string) string // applied to every question (-transform)
}

// run measures every size and engine cfg.runs times, children doing the
// work, and writes the results.
func run(cfg config) error {
	for _, dir := range []string{cfg.out, cfg.tmp, cfg.profile} {
		if dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	xq, err := loadXQuAD(cfg.xquad)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	began := time.Now()
	res := newResults(cfg)
	// The serve phase runs the real binary, built once.
	serveBin, serveErr := "", error(nil)
	if cfg.serve && slices.Contains(cfg.engines, "baobot") {
		if serveBin, serveErr = buildBaobot(cfg.repo, cfg.tmp); serveErr != nil {
			log.Printf("serve phase: %v", serveErr)
		}
	}
	for _, size := range cfg.sizes {
		src := corpusSource{newsPath: cfg.news, xquad: xq, size: size}
		info, err := src.describe(cfg.titles, cfg.seed)
		if err != nil {
			return err
		}
		for i := range info.Queries {
			info.Queries[i].Text = cfg.rewrite(info.Queries[i].Text)
		}
		queriesFile := filepath.Join(cfg.tmp, "queries-"+size.Name+".json")
		if err := writeJSON(queriesFile, info.Queries); err != nil {
			return err
		}
		sr := &sizeResult{Name: size.Name, Articles: info.Articles, RawMB: mb(info.RawBytes), Queries: len(info.Queries)}
		for _, q := range info.Queries {
			if q.Kind == "title" {
				sr.TitleQueries++
			} else {
				sr.XQuADQueries++
			}
		}
		runs := cfg.runs
		if size.Copies > 1 {
			runs = cfg.runs4x
		}
		sr.Runs = runs
		for r := range runs {
			// Engines alternate which goes first, so neither always meets
			// the other's leftovers in the page cache.
			order := cfg.engines
			if r%2 == 1 {
				order = reversed(order)
			}
			for _, name := range order {
				dir := filepath.Join(cfg.tmp, name+"-"+size.Name)
				a := childArgs{Engine: name, Dir: dir, Size: size, News: cfg.news, XQuAD: cfg.xquad, Batch: cfg.batch}
				a.Phase, a.Profile = "ingest", profilePath(cfg.profile, name, size.Name, "ingest")
				var ing ingestResult
				if err := runChildProcess(self, a, &ing); err != nil {
					return err
				}
				a.Phase, a.Queries, a.Profile = "query", queriesFile, profilePath(cfg.profile, name, size.Name, "query")
				var qr queryResult
				if err := runChildProcess(self, a, &qr); err != nil {
					return err
				}
				fig := figuresOf(info, ing, qr)
				sr.add(name, fig)
				if name == "baobot" && cfg.serve && r == 0 { // once per size, on the index just queried
					if serveErr != nil {
						sr.Serve = &serveResult{Error: serveErr.Error()}
					} else {
						sr.Serve = measureServe(serveBin, baobotPath(dir), queriesFile, filepath.Join(cfg.tmp, "serve-"+size.Name+".log"))
					}
					if f := sr.Serve.Figures; sr.Serve.Error == "" {
						log.Printf("%s baobot serve: %.0f questions answered, RSS %.1f MB (anon %.1f, file %.1f) after two passes, %.1f MB after 300, /ask p50 %.1f ms p99 %.1f ms",
							size.Name, f["questions_answered"], f["proc_rss_mb"], f["proc_rss_anon_mb"], f["proc_rss_file_mb"],
							f["proc_rss_300_mb"], f["discord_p50_ms"], f["discord_p99_ms"])
					}
				}
				log.Printf("%s %s run %d/%d: ingest %.1fs (%.0f MB peak), %.1f MB on disk, warm p50 %.2f ms p99 %.2f ms, cold p99 %.2f ms, serve %.0f MB, known R@1 %.3f, XQuAD R@1 %.3f",
					size.Name, name, r+1, runs, fig["ingest_s"], fig["ingest_peak_rss_mb"], fig["disk_mb"],
					fig["warm_p50_ms"], fig["warm_p99_ms"], fig["cold_p99_ms"], fig["serve_rss_mb"], fig["known_r1"], fig["xquad_r1"])
				if !cfg.keep {
					os.RemoveAll(dir)
				}
			}
		}
		sr.summarize()
		res.Sizes = append(res.Sizes, sr)
		// Write as we go: a long run that stops still leaves its figures.
		res.WallSeconds = time.Since(began).Seconds()
		if err := res.write(cfg.out); err != nil {
			return err
		}
	}
	if !cfg.keep {
		os.RemoveAll(cfg.tmp)
	}
	log.Printf("done in %s; results in %s", time.Since(began).Round(time.Second), cfg.out)
	return nil
}

// runChildProcess runs a child phase and decodes its JSON report into out.
func runChildProcess(self string, a childArgs, out any) error {
	cmd := exec.Command(self, childCommand(a)...)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s %s: %w", a.Engine, a.Size.Name, a.Phase, err)
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s %s: reading the child's report %q: %w", a.Engine, a.Size.Name, a.Phase, stdout.String(), err)
	}
	return nil
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }
