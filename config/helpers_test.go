package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testToken has the shape of a Discord bot token; it is not one.
const testToken = "MTk4NjIyNDgzNDcxOTI1MjQ4.Gh5xQz.ZnCjm1XVW7vRze4b7Cq4se7kKWsXyzAbCdEfG"

// envMap returns an env lookup over m.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// noEnv is an empty environment.
var noEnv = envMap(nil)

// writeConfig writes content to a file with the given mode in a temp dir.
func writeConfig(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "baobot.toml")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // whatever the umask
		t.Fatal(err)
	}
	return path
}

// wantErr fails unless err is non-nil and contains every want.
func wantErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
}
