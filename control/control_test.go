package control_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/baobot/baobot/cli"
	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/control"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// A command run through the socket of a process that holds the database
// prints, byte for byte, what the same command prints run alone on a copy of
// the database, and exits the same; an article ingested that way is
// answerable at once.
func TestForwardedCommandsPrintWhatTheyPrintAlone(t *testing.T) {
	dir, held, alone := seededCopies(t)
	work := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(work, "news", "phao-hoa.txt"), "Lễ hội pháo hoa Đà Nẵng\nLễ hội pháo hoa quốc tế Đà Nẵng năm nay kéo dài ba tuần với tám đội tham gia.\n")
	writeFile(t, filepath.Join(work, "news", "sub", "xang.jsonl"), `{"id":"n1","title":"Giá xăng giảm","body":"Giá xăng RON95 giảm 500 đồng mỗi lít từ chiều nay."}`+"\n{broken\n")
	writeFile(t, filepath.Join(work, "news", "empty.txt"), "")
	srv := startServer(t, held, control.Options{})

	steps := [][]string{
		// Relative paths are the client's; failures name them as typed.
		{"ingest", "news", "./news/../news/phao-hoa.txt", "missing.txt"},
		{"ask", "--json", "pháo hoa Đà Nẵng kéo dài bao lâu"},
		{"ask", "Giá xăng giảm bao nhiêu?"},
		{"ask", "Ngoai truong My la ai?"},
		{"articles", "list"},
		{"articles", "show", "seed-000_motegi_blinken_call"},
		{"articles", "show", "nope"},
		{"articles", "list", "--page", "2"},
		{"articles", "rm", "phao-hoa"},
		{"ingest", "news/phao-hoa.txt"},
		{"reindex"},
		{"ask", "--json", "-k", "5", "Nhật Bản"},
		{"ingest", "--quiet", "news"},
	}
	for _, args := range steps {
		before := srv.runs.Load()
		got := runBinary(t, work, held, nil, args...)
		if srv.runs.Load() != before+1 {
			t.Fatalf("%q was not run by the server holding the database: %+v", args, got)
		}
		want := runBinary(t, work, alone, nil, args...)
		if got != want {
			t.Errorf("%q through the socket:\n%+v\nrun alone:\n%+v", args, got, want)
		}
	}
	// Local times are the client's.
	before := srv.runs.Load()
	tz := []string{"TZ=Asia/Ho_Chi_Minh"}
	got := runBinary(t, work, held, tz, "articles", "show", "seed-000_motegi_blinken_call")
	want := runBinary(t, work, alone, tz, "articles", "show", "seed-000_motegi_blinken_call")
	if srv.runs.Load() != before+1 || got != want || got.code != 0 {
		t.Errorf("TZ: through the socket %+v, alone %+v", got, want)
	}

	// --db after the command name, relative to the client's directory.
	before = srv.runs.Load()
	got = runBinary(t, work, "unused.db", nil, "articles", "list", "--db", "../held.db")
	want = runBinary(t, work, "unused.db", nil, "articles", "list", "--db", "../alone.db")
	if srv.runs.Load() != before+1 || got != want || got.code != 0 {
		t.Errorf("--db: through the socket %+v, alone %+v", got, want)
	}

	// The forwarded ingest made the article answerable at once.
	got = runBinary(t, work, held, nil, "ask", "--json", "pháo hoa Đà Nẵng kéo dài bao lâu")
	var ans struct {
		Results []struct {
			ArticleID string `json:"article_id"`
			Snippet   string `json:"snippet"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(got.stdout), &ans); err != nil || len(ans.Results) == 0 || ans.Results[0].ArticleID != "phao-hoa" || !strings.Contains(ans.Results[0].Snippet, "ba tuần") {
		t.Errorf("ingested article not answerable: %v %+v", err, got)
	}
	// The steps covered failures too, so the comparison meant something.
	first := runBinary(t, work, alone, nil, "ingest", "news", "missing.txt")
	if first.code != 1 || !strings.Contains(first.stderr, "failed: news/empty.txt") || !strings.Contains(first.stderr, "failed: missing.txt: stat missing.txt") || !strings.Contains(first.stderr, "news/sub/xang.jsonl:2") {
		t.Errorf("the failures are not named as typed: %+v", first)
	}
}

// The socket is a socket of mode 0600 beside the database, and is removed by
// Close.
func TestSocketIsPrivateAndRemovedOnClose(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	srv := startServer(t, db, control.Options{})
	path := srv.srv.Path()
	if path != db+".sock" {
		t.Errorf("socket at %s, want beside the database", path)
	}
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Type() != fs.ModeSocket || info.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with 0600", info.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left beside the database: %v", entries)
	}
	srv.close()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("socket still there after Close: %v", err)
	}
	// With the server gone, the command line opens the database itself.
	if r := runBinary(t, dir, db, nil, "articles", "list"); r.code != 0 || !strings.Contains(r.stdout, "articles") {
		t.Errorf("after Close: %+v", r)
	}
}

// A socket file left by a process that died is replaced; a live server on
// the path is not, and keeps working.
func TestStaleSocketReplacedLiveServerKept(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: db + ".sock", Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close() // the socket file stays, nobody answers: a crashed server's
	srv := startServer(t, db, control.Options{})
	if r := runBinary(t, dir, db, nil, "articles", "list"); r.code != 0 || srv.runs.Load() != 1 {
		t.Fatalf("through the replaced socket: %+v, %d runs", r, srv.runs.Load())
	}

	_, err = control.Serve(context.Background(), srv.db, adminConfig(), nil, control.Options{})
	if err == nil {
		t.Fatal("a Serve without a Runner succeeded")
	}
	second, err := control.Serve(context.Background(), srv.db, adminConfig(), cli.RunForwarded, control.Options{})
	if !errors.Is(err, control.ErrServing) || second != nil {
		t.Fatalf("a second server on the same socket: %v, %v", second, err)
	}
	if r := runBinary(t, dir, db, nil, "articles", "list"); r.code != 0 || srv.runs.Load() != 2 {
		t.Errorf("the first server stopped answering: %+v", r)
	}

	// Something that is not a socket is never removed.
	other := filepath.Join(dir, "c.db")
	writeFile(t, other+".sock", "mine")
	odb, err := storage.Open(other, storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer odb.Close()
	if _, err := control.Serve(context.Background(), odb, adminConfig(), cli.RunForwarded, control.Options{}); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("Serve over a regular file: %v", err)
	}
	if data, _ := os.ReadFile(other + ".sock"); string(data) != "mine" {
		t.Errorf("a regular file in the way was changed")
	}
}

// A client whose configuration turns admin_socket off gets the plain "in
// use" error; so does every client when the server has it off.
func TestAdminSocketOff(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	srv := startServer(t, db, control.Options{})
	r := runBinary(t, dir, db, []string{"BAOBOT_DISCORD_ADMIN_SOCKET=false"}, "articles", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "in use") || srv.runs.Load() != 0 {
		t.Errorf("admin_socket=false: %+v", r)
	}

	off := adminConfig()
	off.Discord.AdminSocket = false
	s, err := control.Serve(context.Background(), srv.db, off, cli.RunForwarded, control.Options{})
	if s != nil || err != nil {
		t.Errorf("Serve with admin_socket off: %v, %v", s, err)
	}
	if s.Close() != nil || s.Path() != "" {
		t.Errorf("a nil Server is not inert")
	}
}

// eval never goes to the server (it has its own temporary database), and
// the server refuses it from a client that sends it anyway.
func TestNotForwardedCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	srv := startServer(t, db, control.Options{})
	r := runBinary(t, dir, db, nil, "eval", "squad", "missing.json")
	if srv.runs.Load() != 0 || r.code != 1 {
		t.Errorf("eval: %+v, %d runs", r, srv.runs.Load())
	}
	var stdout, stderr bytes.Buffer
	code, err := control.Forward(srv.srv.Path(), control.Request{Args: []string{"eval", "squad", "x.json"}, Dir: dir, Config: withDB(db)}, &stdout, &stderr)
	if err != nil || code != 1 || !strings.Contains(stderr.String(), "cannot run inside a running baobot") {
		t.Errorf("eval forwarded by hand: %d, %v, %q", code, err, stderr.String())
	}
	// Nor does a request naming another database run on this one.
	code, err = control.Forward(srv.srv.Path(), control.Request{Args: []string{"articles", "rm", "seed-000_motegi_blinken_call"}, Dir: dir, Config: withDB(filepath.Join(dir, "other.db"))}, &stdout, &stderr)
	if err != nil || code != 1 || !strings.Contains(stderr.String(), "holds") {
		t.Errorf("another database: %d, %v, %q", code, err, stderr.String())
	}
}

func withDB(path string) (cfg config.Config) {
	cfg = adminConfig()
	cfg.Database.Path = path
	return cfg
}

// Many clients at once, readers and writers, through a server that runs two
// commands at a time: every command runs, none sees a torn write.
func TestConcurrentClients(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	srv := startServer(t, db, control.Options{MaxSessions: 2})
	cfg := withDB(db)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var args []string
			switch i % 3 {
			case 0:
				file := filepath.Join(dir, "in", "a"+string(rune('a'+i))+".txt")
				writeFileErr(file, "Tin số "+string(rune('A'+i))+"\nCơn bão số "+string(rune('A'+i))+" đổ bộ vào miền Trung với gió giật cấp mười hai.\n")
				args = []string{"ingest", file}
			case 1:
				args = []string{"ask", "--json", "Ngoại trưởng Mỹ là ai?"}
			default:
				args = []string{"articles", "list"}
			}
			var stdout, stderr bytes.Buffer
			code, err := control.Forward(srv.srv.Path(), control.Request{Args: args, Dir: dir, Config: cfg}, &stdout, &stderr)
			if err != nil || code != 0 {
				errs <- fmt.Errorf("%q: exit %d, %v, %s", args, code, err, stderr.String())
			}
			if i%3 == 1 && !strings.Contains(stdout.String(), "Antony Blinken") {
				errs <- errors.New("ask: " + stdout.String())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	stats, err := srv.db.Stats()
	if err != nil || stats.Articles != 2+8 {
		t.Errorf("articles after the concurrent ingests: %d, %v", stats.Articles, err)
	}
}

func writeFileErr(path, content string) {
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte(content), 0o644)
}

// A client that disconnects cancels its command's context; a busy server
// refuses after its queue timeout; a panicking command fails without taking
// the server down; bad requests are refused.
func TestSessionsAreBounded(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "b.db"), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	started, cancelled := make(chan struct{}, 1), make(chan struct{}, 1)
	run := func(ctx context.Context, _ *storage.DB, req control.Request, stdout, stderr io.Writer) int {
		switch req.Args[0] {
		case "block":
			started <- struct{}{}
			<-ctx.Done()
			cancelled <- struct{}{}
			return 1
		case "panic":
			panic("boom")
		}
		io.WriteString(stdout, strings.Repeat("x", 200_000)) // over one frame
		io.WriteString(stderr, "done\n")
		return 3
	}
	srv, err := control.Serve(context.Background(), db, adminConfig(), run, control.Options{
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxSessions: 1, MaxWaiting: 1, QueueTimeout: 100 * time.Millisecond, MaxRequestBytes: 4096, RequestTimeout: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	path := srv.Path()

	// A client that connects and says nothing is dropped after the
	// request timeout.
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("a silent client: %v, want EOF", err)
	}
	c.Close()

	// Output is relayed whole, and the exit code with it.
	var stdout, stderr bytes.Buffer
	code, err := control.Forward(path, control.Request{Args: []string{"echo"}, Dir: dir}, &stdout, &stderr)
	if err != nil || code != 3 || stdout.Len() != 200_000 || stderr.String() != "done\n" {
		t.Fatalf("echo: %d, %v, %d bytes, %q", code, err, stdout.Len(), stderr.String())
	}

	// A blocked command holds the only session. Of two more, one finds
	// the one waiting place taken and is refused at once; the other waits
	// the queue timeout and is refused too.
	conn := rawRequest(t, path, control.Request{Version: control.Version, Args: []string{"block"}, Dir: dir})
	<-started
	waiting := rawRequest(t, path, control.Request{Version: control.Version, Args: []string{"echo"}, Dir: dir})
	_, err = control.Forward(path, control.Request{Args: []string{"echo"}, Dir: dir}, io.Discard, io.Discard)
	var refused *control.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "busy") {
		t.Errorf("while busy: %v", err)
	}
	kind, reason, _ := readFrame(waiting)
	waiting.Close()
	if kind != 'r' || refused == nil || !strings.Contains(reason+refused.Reason, "waiting") {
		t.Errorf("while busy: %q %q and %v; want both refused, one because the queue is full", kind, reason, err)
	}
	// The client leaves: its command's context is cancelled.
	conn.Close()
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("a client's departure did not cancel its command")
	}

	// A panic is a failure, not a crash.
	stderr.Reset()
	code, err = forwardWhenFree(path, control.Request{Args: []string{"panic"}, Dir: dir}, io.Discard, &stderr)
	if err != nil || code != 1 || !strings.Contains(stderr.String(), "internal error") {
		t.Errorf("panic: %d, %v, %q", code, err, stderr.String())
	}

	// Bad requests.
	for name, req := range map[string]control.Request{
		"too large":      {Version: control.Version, Args: []string{strings.Repeat("x", 5000)}, Dir: dir},
		"other version":  {Version: 99, Args: []string{"echo"}, Dir: dir},
		"relative dir":   {Version: control.Version, Args: []string{"echo"}, Dir: "rel"},
		"no args at all": {Version: control.Version, Dir: dir},
	} {
		for {
			c := rawRequest(t, path, req)
			kind, reason, _ := readFrame(c)
			c.Close()
			if strings.HasPrefix(reason, "busy") {
				continue // the sessions before have not all ended yet
			}
			if kind != 'r' {
				t.Errorf("%s: answered %q, want a refusal", name, kind)
			}
			break
		}
	}
	// And the server still works.
	code, err = forwardWhenFree(path, control.Request{Args: []string{"echo"}, Dir: dir}, io.Discard, io.Discard)
	if err != nil || code != 3 {
		t.Errorf("after all that: %d, %v", code, err)
	}
	// Nothing answers once it is closed: the caller may open the database.
	srv.Close()
	if _, err := control.Forward(path, control.Request{Args: []string{"echo"}, Dir: dir}, io.Discard, io.Discard); !errors.Is(err, control.ErrNoServer) {
		t.Errorf("after Close: %v", err)
	}
}

// forwardWhenFree is Forward, tried again while the server is busy with the
// sessions a test just ended.
func forwardWhenFree(path string, req control.Request, stdout, stderr io.Writer) (int, error) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, err := control.Forward(path, req, stdout, stderr)
		var refused *control.RefusedError
		if !errors.As(err, &refused) || !strings.HasPrefix(refused.Reason, "busy") || time.Now().After(deadline) {
			return code, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rawRequest connects and sends req as it is, without Forward's help.
func rawRequest(t *testing.T, path string, req control.Request) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(req)
	frame := append([]byte{'q'}, binary.BigEndian.AppendUint32(nil, uint32(len(payload)))...)
	if _, err := c.Write(append(frame, payload...)); err != nil {
		t.Fatal(err)
	}
	return c
}

// readFrame reads one frame the server sent.
func readFrame(c net.Conn) (kind byte, payload string, err error) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var hdr [5]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return 0, "", err
	}
	p := make([]byte, binary.BigEndian.Uint32(hdr[1:]))
	_, err = io.ReadFull(c, p)
	return hdr[0], string(p), err
}
