package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/control"
)

// skewStats changes the statistics of the database at path behind
// baobot's back, as a bug or another program could: the file stays a sound
// bbolt file, but its article count is one too many.
func skewStats(t *testing.T, path string) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	err = bdb.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("meta"))
		stats := bytes.Clone(b.Get([]byte("stats")))
		binary.BigEndian.PutUint64(stats, binary.BigEndian.Uint64(stats)+1)
		return b.Put([]byte("stats"), stats)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	env := dbEnv(t)
	path := env["BAOBOT_DB"]

	// No database: check neither creates one nor passes.
	if _, errOut, code := run(t, env, "check"); code != ExitFailure || !strings.Contains(errOut, "no database at "+path) {
		t.Errorf("no database: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("check created the database")
	}

	// The seeded database passes.
	if _, errOut, code := run(t, env, "articles", "list"); code != ExitOK {
		t.Fatal(errOut)
	}
	out, errOut, code := run(t, env, "check")
	if code != ExitOK || !strings.Contains(out, "2 articles") || !strings.Contains(out, "ok: every check passed") {
		t.Errorf("sound: exit %d, %q, %q", code, out, errOut)
	}

	// Damaged: the verdict names what is wrong, and the file is left as it is.
	skewStats(t, path)
	before, _ := os.ReadFile(path)
	out, _, code = run(t, env, "check")
	if code != ExitFailure || !strings.Contains(out, "damaged: 1 problem of 1 kind") ||
		!strings.Contains(out, "stats: 1 (collection statistics differ from a recount)") ||
		!strings.Contains(out, "meta holds 3 articles") || !strings.Contains(out, "--repair") {
		t.Errorf("damaged: exit %d, %q", code, out)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("check changed the file")
	}
	out, _, code = run(t, env, "check", "--json")
	var rep checkJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	if code != ExitFailure || rep.Before.OK || len(rep.Before.Problems) != 1 || rep.Before.Problems[0].Kind != "stats" || rep.Repair != nil {
		t.Errorf("--json: exit %d, %+v", code, rep)
	}

	// Repaired, then sound.
	out, _, code = run(t, env, "check", "--repair")
	if code != ExitOK || !strings.Contains(out, "repaired: rebuilt 2 articles into") || !strings.HasSuffix(out, "ok: every check passed\n") {
		t.Errorf("--repair: exit %d, %q", code, out)
	}
	if out, _, code = run(t, env, "check"); code != ExitOK {
		t.Errorf("after the repair: exit %d, %q", code, out)
	}
	if ans := askJSON(t, env, "Ngoại trưởng Mỹ là ai?"); len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, "Antony Blinken") {
		t.Errorf("ask after the repair: %+v", ans)
	}

	// --repair --json says what the repair did.
	skewStats(t, path)
	out, _, code = run(t, env, "check", "--repair", "--json")
	rep = checkJSON{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--repair --json printed %q: %v", out, err)
	}
	if code != ExitOK || rep.Before.OK || !rep.After.OK || rep.Repair == nil || rep.Repair.Articles != 2 {
		t.Errorf("--repair --json: exit %d, %+v", code, rep)
	}

	if _, errOut, code := run(t, env, "check", "extra"); code != ExitUsage || !strings.Contains(errOut, "usage: baobot check [--repair] [--json]") {
		t.Errorf("an argument: exit %d, %q", code, errOut)
	}
}

// A file that is not a baobot database, and one whose pages are garbage,
// are named for what they are; --repair leaves them alone.
func TestCheckForeignAndDamagedFiles(t *testing.T) {
	env := dbEnv(t)
	path := env["BAOBOT_DB"]
	os.WriteFile(path, []byte("not a database at all, just some text\n"), 0o600)
	if _, errOut, code := run(t, env, "check", "--repair"); code != ExitFailure || !strings.Contains(errOut, "not a baobot index") {
		t.Errorf("a text file: exit %d, %q", code, errOut)
	}

	env = dbEnv(t)
	path = env["BAOBOT_DB"]
	if _, errOut, code := run(t, env, "articles", "list"); code != ExitOK {
		t.Fatal(errOut)
	}
	data, _ := os.ReadFile(path)
	const page = 4096
	for i := 2 * page; i < len(data); i++ {
		data[i] = byte(i * 7)
	}
	os.WriteFile(path, data, 0o600)
	out, _, code := run(t, env, "check", "--repair")
	if code != ExitFailure || !strings.Contains(out, "file: ") || !strings.Contains(out, "not repaired: the file itself is damaged") {
		t.Errorf("garbage pages: exit %d, %q", code, out)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(data, after) {
		t.Error("a damaged file was changed")
	}
}

// Beside a running baobot, check runs in it, on the database it holds.
func TestCheckForwarded(t *testing.T) {
	db, _ := heldDB(t)
	cfg := config.Default()
	cfg.Database.Path = db.Path()
	out, errOut, code := forwardedRun(t, context.Background(), db, control.Request{Args: []string{"check", "--repair"}, Dir: filepath.Dir(db.Path()), Config: cfg})
	if code != ExitOK || !strings.Contains(out, "ok: every check passed") || strings.Contains(out, "repaired") {
		t.Errorf("forwarded: exit %d, %q, %q", code, out, errOut)
	}
	if _, err := db.Stats(); err != nil {
		t.Errorf("the database was closed: %v", err)
	}
}
