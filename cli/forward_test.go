package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/control"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

func TestRelocatePath(t *testing.T) {
	tests := []struct{ path, resolved, given, want string }{
		{"/c/news", "/c/news", "news", "news"},
		{"/c/news/a.txt", "/c/news", "news", "news/a.txt"},
		{"/c/news/sub/x.jsonl:2", "/c/news", "news/", "news/sub/x.jsonl:2"},
		{"/c/x.jsonl:17", "/c/x.jsonl", "x.jsonl", "x.jsonl:17"},
		{"/c/./news/../news/a.txt", "/c/./news/../news/a.txt", "./news/../news/a.txt", "./news/../news/a.txt"},
		{"/c/news/a.txt", "/c/./news", "./news", "news/a.txt"},
		{"/x/a.txt", "/c/../x", "../x", "../x/a.txt"},
		{"/c/newsroom/a.txt", "/c/news", "news", "/c/newsroom/a.txt"},
		{"/elsewhere", "/c/news", "news", "/elsewhere"},
	}
	for _, tt := range tests {
		path := filepath.FromSlash(tt.path)
		got := relocatePath(path, filepath.FromSlash(tt.resolved), filepath.FromSlash(tt.given))
		if got != filepath.FromSlash(tt.want) {
			t.Errorf("relocatePath(%q, %q, %q) = %q, want %q", tt.path, tt.resolved, tt.given, got, tt.want)
		}
	}
}

// heldDB creates a seeded database as the command line does and opens it,
// as a running baobot holds it.
func heldDB(t *testing.T) (*storage.DB, map[string]string) {
	t.Helper()
	env := dbEnv(t)
	if _, errOut, code := run(t, env, "articles", "list"); code != ExitOK {
		t.Fatalf("seeding: %s", errOut)
	}
	db, err := storage.Open(env["BAOBOT_DB"], storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, env
}

func forwardedRun(t *testing.T, ctx context.Context, db *storage.DB, req control.Request) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = RunForwarded(ctx, db, req, &out, &errOut)
	return out.String(), errOut.String(), code
}

// A forwarded command resolves paths against the client's directory (never
// changing the process's), names them as typed, runs with the client's
// configuration, and leaves the database open.
func TestRunForwarded(t *testing.T) {
	db, _ := heldDB(t)
	work := t.TempDir()
	if err := os.MkdirAll(filepath.Join(work, "news"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(work, "news", "phao-hoa.txt"), []byte("Lễ hội pháo hoa Đà Nẵng\nLễ hội pháo hoa quốc tế Đà Nẵng năm nay kéo dài ba tuần với tám đội tham gia.\n"), 0o644)
	os.WriteFile(filepath.Join(work, "news", "empty.txt"), nil, 0o644)
	cwd, _ := os.Getwd()
	cfg := config.Default()
	cfg.Database.Path = db.Path()

	out, errOut, code := forwardedRun(t, context.Background(), db, control.Request{Args: []string{"ingest", "news", "nope.txt"}, Dir: work, Config: cfg})
	if code != ExitFailure || out != "added 1, replaced 0, unchanged 0, failed 2\n" {
		t.Errorf("ingest: exit %d, %q", code, out)
	}
	if !strings.Contains(errOut, "failed: news/empty.txt: ") || !strings.Contains(errOut, "failed: nope.txt: stat nope.txt: ") || strings.Contains(errOut, work) {
		t.Errorf("failures not named as typed: %q", errOut)
	}
	if now, _ := os.Getwd(); now != cwd {
		t.Errorf("the working directory changed to %s", now)
	}

	cfg.Retrieval.Results = 1
	out, _, code = forwardedRun(t, context.Background(), db, control.Request{Args: []string{"ask", "--json", "pháo hoa Đà Nẵng kéo dài bao lâu"}, Dir: work, Config: cfg})
	if code != ExitOK || !strings.Contains(out, "ba tuần") || strings.Count(out, `"article_id"`) != 1 {
		t.Errorf("ask with the client's results = 1: exit %d, %s", code, out)
	}
	if _, err := db.Stats(); err != nil {
		t.Errorf("the database was closed: %v", err)
	}

	// A client that left: the ingest stops before writing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	os.WriteFile(filepath.Join(work, "news", "mua.txt"), []byte("Mưa lớn ở Huế\nMưa lớn kéo dài khiến nhiều tuyến phố ở Huế ngập sâu.\n"), 0o644)
	_, errOut, code = forwardedRun(t, ctx, db, control.Request{Args: []string{"ingest", "news"}, Dir: work, Config: cfg})
	if code != ExitFailure || !strings.Contains(errOut, "stopped before the end") {
		t.Errorf("cancelled ingest: exit %d, %q", code, errOut)
	}
	if stats, _ := db.Stats(); stats.Articles != 3 {
		t.Errorf("%d articles after a cancelled ingest, want 3", stats.Articles)
	}

	// Commands that must run in their own process are refused.
	if _, errOut, code := forwardedRun(t, context.Background(), db, control.Request{Args: []string{"eval", "squad", "x.json"}, Dir: work, Config: cfg}); code != ExitFailure || !strings.Contains(errOut, "cannot run inside") {
		t.Errorf("eval: exit %d, %q", code, errOut)
	}
}

// Run hands a command to the server beside a held database, and gives the
// plain "in use" error when admin_socket is off.
func TestRunForwardsToARunningServer(t *testing.T) {
	db, env := heldDB(t)
	srv, err := control.Serve(context.Background(), db, config.Default(), RunForwarded, control.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	out, errOut, code := run(t, env, "articles", "list")
	if code != ExitOK || !strings.Contains(out, "2 articles") {
		t.Errorf("forwarded: exit %d, %q, %q", code, out, errOut)
	}
	env["BAOBOT_DISCORD_ADMIN_SOCKET"] = "false"
	env["BAOBOT_DATABASE_LOCK_TIMEOUT"] = "100ms"
	_, errOut, code = run(t, env, "articles", "list")
	if code != ExitFailure || !strings.Contains(errOut, "in use") {
		t.Errorf("admin_socket off: exit %d, %q", code, errOut)
	}
}
