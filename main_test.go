package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinaryEndToEnd builds the real binary and uses it as a newcomer would:
// a fresh database is created and seeded, a question is answered as JSON,
// and the database survives a restart.
func TestBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "baobot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "data", "baobot.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "BAOBOT_DB="+db, "BAOBOT_CONFIG=")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return stdout.String(), stderr.String(), code
	}

	for round := 1; round <= 2; round++ { // the second round reopens the same file
		out, errOut, code := run("ask", "--json", "Cuộc điện đàm kéo dài bao lâu?")
		if code != 0 {
			t.Fatalf("round %d: exit %d: %s", round, code, errOut)
		}
		var ans struct {
			Question  string `json:"question"`
			Confident bool   `json:"confident"`
			Results   []struct {
				ArticleID string   `json:"article_id"`
				Source    string   `json:"source"`
				Passage   int      `json:"passage"`
				Snippet   string   `json:"snippet"`
				Marks     [][2]int `json:"marks"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(out), &ans); err != nil {
			t.Fatalf("round %d: not one JSON object: %v\n%s", round, err, out)
		}
		if !ans.Confident || len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, "15 phút") {
			t.Fatalf("round %d: %s", round, out)
		}
	}
	info, err := os.Stat(db)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, %v; want 0600", info.Mode().Perm(), err)
	}
	out, _, _ := run("articles", "list")
	if !strings.Contains(out, "2 articles") {
		t.Errorf("seeded twice or not at all:\n%s", out)
	}
}
