package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// A child process runs one phase of one engine on one corpus size, so that
// its peak resident set (VmHWM) is that engine's alone. It prints one JSON
// object on stdout.

// childArgs are what the parent tells a child.
type childArgs struct {
	Phase   string // "ingest" or "query"
	Engine  string
	Dir     string // the index folder
	Size    sizeSpec
	News    string
	XQuAD   string
	Queries string // JSON file of []query (query phase)
	Batch   int
	Profile string // when set, a CPU profile is written here
}

// ingestResult is what an ingest child reports.
type ingestResult struct {
	Seconds   float64 `json:"seconds"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	DiskBytes int64   `json:"disk_bytes"`
}

// queryResult is what a query child reports.
type queryResult struct {
	OpenMs float64 `json:"open_ms"`
	Cold   latency `json:"cold"`
	Warm   latency `json:"warm"`
	// WarmByWords is the warm pass by question length (wordBuckets).
	WarmByWords map[string]latency `json:"warm_by_words"`
	KnownAt1    float64            `json:"known_item_recall_at_1"`
	KnownAt10   float64            `json:"known_item_recall_at_10"`
	XQuADAt1    float64            `json:"xquad_recall_at_1"`
	XQuADAt10   float64            `json:"xquad_recall_at_10"`
	Memory      map[string]float64 `json:"memory_mb"`      // after both passes
	MemoryCold  map[string]float64 `json:"memory_cold_mb"` // after the first pass
	Errors      int                `json:"errors"`
}

func runChild(a childArgs) error {
	if a.Profile != "" {
		f, err := os.Create(a.Profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	e, ok := engines[a.Engine]
	if !ok {
		return fmt.Errorf("unknown engine %q", a.Engine)
	}
	var out any
	switch a.Phase {
	case "ingest":
		r, err := childIngest(e, a)
		if err != nil {
			return err
		}
		out = r
	case "query":
		r, err := childQuery(e, a)
		if err != nil {
			return err
		}
		out = r
	default:
		return fmt.Errorf("unknown phase %q", a.Phase)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func childIngest(e engine, a childArgs) (ingestResult, error) {
	xq, err := loadXQuAD(a.XQuAD)
	if err != nil {
		return ingestResult{}, err
	}
	if err := os.RemoveAll(a.Dir); err != nil {
		return ingestResult{}, err
	}
	if err := os.MkdirAll(a.Dir, 0o755); err != nil {
		return ingestResult{}, err
	}
	src := corpusSource{newsPath: a.News, xquad: xq, size: a.Size}
	spent, err := e.ingest(a.Dir, src, a.Batch)
	if err != nil {
		return ingestResult{}, fmt.Errorf("%s ingest: %w", a.Engine, err)
	}
	size, err := dirSize(a.Dir)
	if err != nil {
		return ingestResult{}, err
	}
	return ingestResult{Seconds: spent.Seconds(), PeakRSSMB: procStatus()["VmHWM"], DiskBytes: size}, nil
}

// coldQueries is how many queries the cold pass asks: the first queries
// after opening, before the pages they need are in memory.
const coldQueries = 300

// childQuery opens the index after evicting its files from the page cache,
// asks the first coldQueries queries (the cold pass), then every query (the
// warm pass), and reports latencies, recall (of the warm pass) and memory.
func childQuery(e engine, a childArgs) (queryResult, error) {
	raw, err := os.ReadFile(a.Queries)
	if err != nil {
		return queryResult{}, err
	}
	var queries []query
	if err := json.Unmarshal(raw, &queries); err != nil {
		return queryResult{}, err
	}
	if err := evictFromPageCache(a.Dir); err != nil {
		return queryResult{}, fmt.Errorf("evicting %s from the page cache: %w", a.Dir, err)
	}
	var r queryResult
	began := time.Now()
	s, err := e.open(a.Dir)
	if err != nil {
		return r, err
	}
	defer s.close()
	r.OpenMs = ms(time.Since(began))

	pass := func(queries []query) ([]float64, [][]string) {
		lat := make([]float64, len(queries))
		got := make([][]string, len(queries))
		for i, q := range queries {
			began := time.Now()
			ids, err := s.search(q.Text, 10)
			lat[i] = ms(time.Since(began))
			if err != nil {
				r.Errors++
			}
			got[i] = ids
		}
		return lat, got
	}
	cold, _ := pass(queries[:min(coldQueries, len(queries))])
	r.MemoryCold = procStatus()
	r.MemoryCold["HeapLive"] = liveHeapMB()
	warm, results := pass(queries)
	r.Memory = procStatus()
	r.Memory["HeapLive"] = liveHeapMB()
	runtime.KeepAlive(results)
	r.Cold, r.Warm = summarize(cold), summarize(warm)
	r.WarmByWords = map[string]latency{}
	for _, b := range wordBuckets {
		var lat []float64
		for i, q := range queries {
			if n := len(strings.Fields(q.Text)); n >= b.min && n <= b.max {
				lat = append(lat, warm[i])
			}
		}
		r.WarmByWords[b.key] = summarize(lat)
	}

	var titles, xquads, k1, k10, x1, x10 float64
	for i, q := range queries {
		rank := -1
		for j, id := range results[i] {
			if baseID(id) == q.Relevant {
				rank = j
				break
			}
		}
		switch q.Kind {
		case "title":
			titles++
			if rank == 0 {
				k1++
			}
			if rank >= 0 {
				k10++
			}
		case "xquad":
			xquads++
			if rank == 0 {
				x1++
			}
			if rank >= 0 {
				x10++
			}
		}
	}
	r.KnownAt1, r.KnownAt10 = ratio(k1, titles), ratio(k10, titles)
	r.XQuADAt1, r.XQuADAt10 = ratio(x1, xquads), ratio(x10, xquads)
	return r, nil
}

// wordBuckets are the question lengths, in words, the warm pass is also
// summarized by: latency grows with the question's terms.
var wordBuckets = []struct {
	key      string
	min, max int
}{{"w1_8", 1, 8}, {"w9_16", 9, 16}, {"w17_up", 17, math.MaxInt}}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// childCommand is the command line that re-executes this binary as a child.
func childCommand(a childArgs) []string {
	args := []string{
		"-child", a.Phase, "-engine", a.Engine, "-dir", a.Dir, "-size", a.Size.Name,
		"-data", a.News, "-xquad", a.XQuAD, "-batch", fmt.Sprint(a.Batch),
	}
	if a.Queries != "" {
		args = append(args, "-queries", a.Queries)
	}
	if a.Profile != "" {
		args = append(args, "-child-profile", a.Profile)
	}
	return args
}

func profilePath(dir, engine, size, phase string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, fmt.Sprintf("%s-%s-%s.pprof", engine, size, phase))
}

// liveHeapMB is the Go heap still in use after a collection: what memory
// the engine keeps, whatever garbage is pending.
func liveHeapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}
