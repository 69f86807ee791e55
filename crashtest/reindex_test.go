package crashtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/storage"
)

// TestKillDuringReindex kills `baobot reindex` at random (seeded) moments.
// Reindex works in batches, one transaction each, and marks the index as
// needing a reindex until its last one: after a kill the database opens,
// every article is there as it was, `baobot check` passes or says only that
// a reindex did not finish, and running `baobot reindex` again finishes it.
func TestKillDuringReindex(t *testing.T) {
	if testing.Short() {
		t.Skip("builds baobot and kills it: not under -short")
	}
	rounds := envInt(t, "BAOBOT_CRASH_REINDEX_ROUNDS", 10)
	n := envInt(t, "BAOBOT_CRASH_ARTICLES", 3000)
	seed := uint64(envInt(t, "BAOBOT_CRASH_SEED", 1))

	dir := t.TempDir()
	bin := buildBaobot(t, dir)
	source := filepath.Join(dir, "articles.jsonl")
	articles := generate(t, source, n, seed)
	base := baobot{bin: bin, db: filepath.Join(dir, "base.db"), batch: 500}
	if out, errOut, code := base.run(t, "ingest", "--quiet", source); code != 0 {
		t.Fatalf("ingest: exit %d, %s%s", code, out, errOut)
	}
	data, err := os.ReadFile(base.db)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if out, errOut, code := base.run(t, "reindex"); code != 0 {
		t.Fatalf("reindex: exit %d, %s%s", code, out, errOut)
	}
	full := time.Since(start)
	t.Logf("a whole reindex of %d articles: %v", n, full.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(seed, 5))
	unfinished := 0
	for round := range rounds {
		b := baobot{bin: bin, db: filepath.Join(dir, fmt.Sprintf("reindex%02d.db", round)), batch: 500}
		if err := os.WriteFile(b.db, data, 0o600); err != nil {
			t.Fatal(err)
		}
		delay := time.Duration(rng.Int64N(int64(full)))
		if finished, took := runKilled(t, b.command("reindex"), delay); finished {
			full = took
		}

		out, errOut, code := b.run(t, "check")
		switch {
		case code == 0:
		case strings.Contains(out, "damaged: 1 problem of 1 kind") && strings.Contains(out, "a reindex did not finish"):
			unfinished++
		default:
			t.Fatalf("round %d (killed after %v): check: exit %d\n%s%s", round, delay, code, out, errOut)
		}
		db, err := storage.Open(b.db, storage.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, want := range articles {
			if got, err := db.Article(want.ID); err != nil || got != want {
				db.Close()
				t.Fatalf("round %d: %s: %+v, %v; want %+v", round, want.ID, got, err, want)
			}
		}
		db.Close()

		if out, errOut, code := b.run(t, "reindex"); code != 0 || !strings.HasPrefix(out, fmt.Sprintf("reindexed %d articles into ", n)) {
			t.Fatalf("round %d: reindex again: exit %d, %s%s", round, code, out, errOut)
		}
		if out, _, code := b.run(t, "check"); code != 0 {
			t.Fatalf("round %d: check after the reindex: exit %d\n%s", round, code, out)
		}
		os.Remove(b.db)
	}
	t.Logf("%d rounds, seed %d: %d left a reindex unfinished, which the next one finished", rounds, seed, unfinished)
	if unfinished == 0 {
		t.Errorf("no round killed the reindex part way")
	}
}
