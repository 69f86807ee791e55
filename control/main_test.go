package control_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/baobot/baobot/cli"
	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/control"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/seeds"
	"github.com/baobot/baobot/storage"
)

// baobotBin is the real baobot, built once by TestMain.
var baobotBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "baobot-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	baobotBin = filepath.Join(dir, "baobot")
	if out, err := exec.Command("go", "build", "-o", baobotBin, "github.com/baobot/baobot").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary printed.
type result struct {
	stdout, stderr string
	code           int
}

// runBinary runs the built baobot in dir on the database db, with extra
// environment variables.
func runBinary(t *testing.T, dir, db string, extraEnv []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(baobotBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BAOBOT_CONFIG=", "BAOBOT_DB="+db, "BAOBOT_DATABASE_LOCK_TIMEOUT=200ms")
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// server is an in-process `baobot serve` as far as the database and the
// control socket go: it holds db and serves its socket.
type server struct {
	db   *storage.DB
	srv  *control.Server
	runs atomic.Int64 // commands run
	logs *syncBuffer
}

func adminConfig() config.Config {
	cfg := config.Default()
	cfg.Discord.AdminSocket = true
	return cfg
}

func startServer(t *testing.T, path string, opts control.Options) *server {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	if db.Created() { // as the command line does
		arts, err := seeds.Articles()
		if err == nil {
			_, err = db.Put(arts)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	s := &server{db: db, logs: &syncBuffer{}}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	run := func(ctx context.Context, db *storage.DB, req control.Request, stdout, stderr io.Writer) int {
		s.runs.Add(1)
		return cli.RunForwarded(ctx, db, req, stdout, stderr)
	}
	s.srv, err = control.Serve(context.Background(), db, adminConfig(), run, opts)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return s
}

func (s *server) close() {
	s.srv.Close()
	s.db.Close()
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

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// seededCopies makes a seeded database with the binary and a byte-for-byte
// copy of it, in a fresh directory.
func seededCopies(t *testing.T) (dir, held, alone string) {
	t.Helper()
	dir = t.TempDir()
	held, alone = filepath.Join(dir, "held.db"), filepath.Join(dir, "alone.db")
	if r := runBinary(t, dir, held, nil, "articles", "list"); r.code != 0 || !strings.Contains(r.stdout, "2 articles") {
		t.Fatalf("seeding: %+v", r)
	}
	copyFile(t, held, alone)
	return dir, held, alone
}
