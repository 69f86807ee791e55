// Package crashtest kills `baobot ingest` with SIGKILL at random moments and
// checks, after each kill, that the database lost nothing it had committed
// and holds nothing half-written. It builds the baobot binary and runs it as
// a user would; it is skipped under -short.
//
//	go test -count=1 -v ./crashtest
//
// BAOBOT_CRASH_ROUNDS (50), BAOBOT_CRASH_ARTICLES (3000), BAOBOT_CRASH_BATCH
// (50) and BAOBOT_CRASH_SEED (1) change the run.
package crashtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/baobot/baobot/internal/testcorpus"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// envInt reads an integer setting of the test from the environment.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a whole number of at least 1", name, v)
	}
	return n
}

// buildBaobot builds the baobot binary into dir and returns its path.
func buildBaobot(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build baobot with: %v", err)
	}
	bin := filepath.Join(dir, "baobot")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/baobot/baobot")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// generate writes n articles as JSON Lines to path and returns them as
// baobot stores them (ingest trims and keeps one paragraph per line).
func generate(t *testing.T, path string, n int, seed uint64) []retrieval.Article {
	t.Helper()
	articles := testcorpus.Articles(rand.New(rand.NewPCG(seed, 7)), n, "crash", "crashtest")
	var buf bytes.Buffer
	for i := range articles {
		a := &articles[i]
		if i%3 == 0 {
			a.Language = "vi"
		}
		line, err := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "source": a.Source, "body": a.Body, "lang": a.Language})
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return articles
}

// baobot runs the binary with the test's environment.
type baobot struct {
	bin, db string
	batch   int
}

func (b baobot) command(args ...string) *exec.Cmd {
	cmd := exec.Command(b.bin, append([]string{"--db", b.db}, args...)...)
	cmd.Env = append(os.Environ(),
		"BAOBOT_DATABASE_SEED=false",
		"BAOBOT_DATABASE_BATCH_SIZE="+strconv.Itoa(b.batch),
		"BAOBOT_DISCORD_ADMIN_SOCKET=false",
	)
	return cmd
}

// run runs a command to its end and returns its output and exit code.
func (b baobot) run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := b.command(args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// TestKillDuringIngest ingests a few thousand generated articles with the
// baobot binary, kills it with SIGKILL at a random (seeded) moment, and
// then checks, every round, that:
//
//   - the database opens and `baobot check` passes;
//   - every article is either stored whole, exactly as in the source, or
//     absent, and what is stored is a prefix of the source made of whole
//     batches (one transaction each);
//   - running the same ingest again completes it: it adds exactly the
//     missing articles and leaves the others unchanged.
func TestKillDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds baobot and kills it 50 times: not under -short")
	}
	rounds := envInt(t, "BAOBOT_CRASH_ROUNDS", 50)
	n := envInt(t, "BAOBOT_CRASH_ARTICLES", 3000)
	batch := envInt(t, "BAOBOT_CRASH_BATCH", 50)
	seed := uint64(envInt(t, "BAOBOT_CRASH_SEED", 1))

	dir := t.TempDir()
	bin := buildBaobot(t, dir)
	source := filepath.Join(dir, "articles.jsonl")
	articles := generate(t, source, n, seed)

	// How long a whole ingest takes: kills fall anywhere in it, and a
	// little after.
	calib := baobot{bin: bin, db: filepath.Join(dir, "calibration.db"), batch: batch}
	start := time.Now()
	if out, errOut, code := calib.run(t, "ingest", "--quiet", source); code != 0 {
		t.Fatalf("ingest: exit %d, %s%s", code, out, errOut)
	}
	full := time.Since(start)
	t.Logf("a whole ingest of %d articles in batches of %d: %v", n, batch, full.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(seed, 99))
	var before, mid, after, exited int
	for round := range rounds {
		b := baobot{bin: bin, db: filepath.Join(dir, fmt.Sprintf("round%02d.db", round)), batch: batch}
		// One round in ten dies in the first 50 ms: while the process
		// starts and creates the database.
		var delay time.Duration
		if round%10 == 0 {
			delay = time.Duration(rng.Int64N(int64(50 * time.Millisecond)))
		} else {
			delay = time.Duration(rng.Int64N(int64(full * 11 / 10)))
		}
		if finished, took := runKilled(t, b.command("ingest", "--quiet", source), delay); finished {
			// It finished first: a whole ingest takes this long now.
			exited++
			full = took
		}

		stored := checkAfterKill(t, b, round, articles, batch)
		switch {
		case stored == 0:
			before++
		case stored < n:
			mid++
		default:
			after++
		}

		// The same ingest again completes it.
		out, errOut, code := b.run(t, "ingest", "--quiet", source)
		want := fmt.Sprintf("added %d, replaced 0, unchanged %d, failed 0\n", n-stored, stored)
		if code != 0 || out != want {
			t.Fatalf("round %d (killed after %v, %d stored): ingest again: exit %d, %q, want %q; %s", round, delay, stored, code, out, want, errOut)
		}
		if round%10 == 9 || round == rounds-1 {
			if out, _, code := b.run(t, "check"); code != 0 {
				t.Fatalf("round %d: check after completing the ingest: exit %d\n%s", round, code, out)
			}
		}
		os.Remove(b.db)
	}
	t.Logf("%d rounds, seed %d: killed before the first commit %d, mid-ingest %d, after the last %d (%d had already exited)",
		rounds, seed, before, mid, after, exited)
	if mid < rounds/3 {
		t.Errorf("only %d of %d rounds killed the ingest part way", mid, rounds)
	}
}

// runKilled starts cmd and kills it with SIGKILL after delay, unless it
// finishes first (with success: anything else fails t). It reports whether
// it finished, and how long it ran.
func runKilled(t *testing.T, cmd *exec.Cmd, delay time.Duration) (finished bool, took time.Duration) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-time.After(delay):
		if err := cmd.Process.Signal(syscall.SIGKILL); errors.Is(err, os.ErrProcessDone) {
			// It exited on its own just before the kill: as below.
			if err := <-done; err != nil {
				t.Fatalf("%s: %v\n%s", cmd, err, out.Bytes())
			}
			return true, time.Since(started)
		} else if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err == nil {
			return true, time.Since(started) // it won the race
		}
		return false, time.Since(started)
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, out.Bytes())
		}
		return true, time.Since(started)
	}
}

// checkAfterKill checks the database a killed ingest left and returns how
// many articles it holds.
func checkAfterKill(t *testing.T, b baobot, round int, articles []retrieval.Article, batch int) int {
	t.Helper()
	if _, err := os.Stat(b.db); errors.Is(err, os.ErrNotExist) {
		return 0 // killed before it created the file
	}
	if out, errOut, code := b.run(t, "check"); code != 0 {
		t.Fatalf("round %d: check: exit %d\n%s%s", round, code, out, errOut)
	}
	db, err := storage.Open(b.db, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	defer db.Close()
	stored := 0
	for i, want := range articles {
		got, err := db.Article(want.ID)
		if errors.Is(err, retrieval.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatalf("round %d: %s: %v", round, want.ID, err)
		}
		if got != want {
			t.Fatalf("round %d: %s stored as %+v, want %+v", round, want.ID, got, want)
		}
		if stored != i {
			t.Fatalf("round %d: %s stored, but not the article before it", round, want.ID)
		}
		stored++
	}
	if stats, err := db.Stats(); err != nil || stats.Articles != uint64(stored) {
		t.Fatalf("round %d: stats %+v, %v; %d articles stored", round, stats, err, stored)
	}
	if stored%batch != 0 && stored != len(articles) {
		t.Fatalf("round %d: %d articles stored, not whole batches of %d", round, stored, batch)
	}
	return stored
}
