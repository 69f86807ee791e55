package watch

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// fixture is a database and a watched folder.
type fixture struct {
	t      *testing.T
	db     *storage.DB
	folder string
	cfg    config.Config
	logs   *syncBuffer
	logger *slog.Logger
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "b.db"), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	folder := filepath.Join(dir, "inbox")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Ingest.Watch = []string{folder}
	cfg.Ingest.WatchInterval = 10 * time.Millisecond
	logs := &syncBuffer{}
	return &fixture{t: t, db: db, folder: folder, cfg: cfg, logs: logs,
		logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
}

// write writes a file under the folder with a modification time of its own,
// so that a rewrite is a change even on a filesystem with coarse times.
func (f *fixture) write(name, content string, age time.Duration) string {
	f.t.Helper()
	path := filepath.Join(f.folder, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
	mtime := time.Now().Add(-age)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// best is the first snippet answering question, or "".
func (f *fixture) best(question string) (id, snippet string) {
	f.t.Helper()
	ans, err := retrieval.NewSearcher(f.db, retrieval.NewAnalyzer(), retrieval.DefaultParams()).Ask(question, 3)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(ans.Results) == 0 {
		return "", ""
	}
	return ans.Results[0].Article.ID, ans.Results[0].Snippet
}

const (
	festival  = "Lễ hội pháo hoa Đà Nẵng\nLễ hội pháo hoa quốc tế Đà Nẵng năm nay kéo dài ba tuần với tám đội tham gia.\n"
	festival2 = "Lễ hội pháo hoa Đà Nẵng\nLễ hội pháo hoa quốc tế Đà Nẵng năm nay bị hoãn vì bão số ba.\n"
)

// A file dropped into the folder is answerable after one scan, under the ID
// `baobot ingest FOLDER` gives it; a changed file replaces its article; an
// unchanged one is not read again; a bad one is logged once.
func TestScan(t *testing.T) {
	f := newFixture(t)
	w := newWatcher(f.db, f.cfg, f.logger)
	ctx := context.Background()

	f.write("Tin tức/Pháo hoa.txt", festival, time.Hour)
	f.write("notes.pdf", "not an article", time.Hour)
	f.write(".draft/hidden.txt", "Bản nháp\nBản nháp chưa đăng về pháo hoa.\n", time.Hour)
	w.scan(ctx)
	id, snippet := f.best("pháo hoa Đà Nẵng kéo dài bao lâu")
	if !strings.Contains(snippet, "ba tuần") {
		t.Fatalf("dropped file not answerable: %q %q", id, snippet)
	}
	var walked []string
	ingest.Walk([]string{f.folder}, ingest.Options{}, func(r ingest.Record) error {
		walked = append(walked, r.Article.ID)
		return nil
	})
	if !slices.Equal(walked, []string{id}) {
		t.Errorf("ID %q; baobot ingest FOLDER gives %q", id, walked)
	}

	w.scan(ctx)
	if n := strings.Count(f.logs.String(), "watch: article added"); n != 1 {
		t.Errorf("added %d times:\n%s", n, f.logs)
	}

	f.write("Tin tức/Pháo hoa.txt", festival2, 0)
	w.scan(ctx)
	if _, snippet := f.best("pháo hoa Đà Nẵng hoãn vì sao"); !strings.Contains(snippet, "bão số ba") {
		t.Errorf("changed file not answerable: %q", snippet)
	}
	if _, snippet := f.best("kéo dài ba tuần tám đội"); strings.Contains(snippet, "ba tuần") {
		t.Errorf("the old content still answers: %q", snippet)
	}
	if stats, _ := f.db.Stats(); stats.Articles != 1 {
		t.Errorf("%d articles, want the one replaced", stats.Articles)
	}

	bad := f.write("empty.txt", "", time.Hour)
	lines := f.write("news.jsonl", `{"id":"n1","title":"Giá xăng giảm","body":"Giá xăng RON95 giảm 500 đồng mỗi lít từ chiều nay."}`+"\n{broken\n", time.Hour)
	for range 3 {
		w.scan(ctx)
	}
	logs := f.logs.String()
	if n := strings.Count(logs, bad); n != 1 {
		t.Errorf("the bad file is logged %d times:\n%s", n, logs)
	}
	if n := strings.Count(logs, lines+":2"); n != 1 {
		t.Errorf("the bad line is logged %d times:\n%s", n, logs)
	}
	if _, snippet := f.best("Giá xăng RON95 giảm bao nhiêu"); !strings.Contains(snippet, "500 đồng") {
		t.Errorf("the good line of a file with a bad one did not land: %q", snippet)
	}
	// Fixed, it is read again.
	f.write("empty.txt", "Mưa lớn ở Huế\nMưa lớn kéo dài khiến nhiều tuyến phố ở Huế ngập sâu.\n", 0)
	w.scan(ctx)
	if _, snippet := f.best("Huế ngập"); !strings.Contains(snippet, "ngập sâu") {
		t.Errorf("a fixed file was not read again: %q", snippet)
	}
}

// A folder that does not exist (yet) is logged once, and watched once it
// appears.
func TestMissingFolder(t *testing.T) {
	f := newFixture(t)
	later := filepath.Join(filepath.Dir(f.folder), "later")
	f.cfg.Ingest.Watch = []string{later}
	w := newWatcher(f.db, f.cfg, f.logger)
	for range 3 {
		w.scan(context.Background())
	}
	if n := strings.Count(f.logs.String(), "cannot read folder"); n != 1 {
		t.Errorf("a missing folder is logged %d times:\n%s", n, f.logs)
	}
	f.folder = later
	f.write("a.txt", festival, time.Hour)
	w.scan(context.Background())
	if _, snippet := f.best("pháo hoa Đà Nẵng kéo dài bao lâu"); !strings.Contains(snippet, "ba tuần") {
		t.Errorf("a folder created later is not watched: %q", snippet)
	}
}

// Run scans at once and at every interval, and returns when its context is
// cancelled.
func TestRun(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		Run(ctx, f.db, f.cfg, f.logger)
		close(done)
	}()
	f.write("a.txt", festival, time.Hour)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, snippet := f.best("pháo hoa Đà Nẵng kéo dài bao lâu"); strings.Contains(snippet, "ba tuần") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not answerable after 10 s of 10 ms scans:\n%s", f.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	// Without folders, Run returns at once.
	f.cfg.Ingest.Watch = nil
	Run(context.Background(), f.db, f.cfg, f.logger)
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
