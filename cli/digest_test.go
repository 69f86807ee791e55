package cli

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

func TestDigestPreview(t *testing.T) {
	env := dbEnv(t)
	md := filepath.Join(t.TempDir(), "rates.md")
	if err := os.WriteFile(md, []byte("---\nid: rates\ntitle: Bank raises rates\nurl: https://example.com/rates\nsource: Example News\npublished: 2026-11-20\nlang: en\nsummary: The central bank raised its main rate by half a point.\n---\nThe central bank raised rates on Tuesday. Markets fell.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, env, "ingest", md); code != ExitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}

	tests := []struct {
		name string
		args []string
		want []string // in this order
		not  []string
	}{
		{"english, newest first", []string{"digest", "preview", "--lang", "en"}, []string{
			"New articles (3)\nAdded since ",
			"\n1. Bank raises rates\n   https://example.com/rates\n   The central bank raised its main rate by half a point.\n   Example News · 2026-11-20\n",
			"\n2. ", "   Cuộc gặp giữa Thủ tướng Nhật Bản", "   baobot seed articles · ",
			"\n3. ", "   Ông Motegi và ông Blinken cũng chia sẻ quan ngại", "   baobot seed articles · ",
		}, []string{"more"}},
		{"vietnamese by default, cut to max", []string{"digest", "preview", "--max", "1"}, []string{
			"Bài báo mới (3)\nCác bài thêm từ ", "\n1. Bank raises rates\n", "\n… và 2 bài khác\n",
		}, []string{"\n2. "}},
		{"nothing in the window", []string{"digest", "preview", "--since", "1ns", "--lang", "en"}, []string{
			"New articles (0)\nAdded since ",
		}, []string{"\n1. "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, env, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			rest := out
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}

func TestDigestPreviewUsage(t *testing.T) {
	env := dbEnv(t)
	for _, args := range [][]string{
		{"digest"}, {"digest", "post"}, {"digest", "preview", "extra"},
		{"digest", "preview", "--max", "0"}, {"digest", "preview", "--max", "51"},
		{"digest", "preview", "--lang", "fr"}, {"digest", "preview", "--since", "0s"}, {"digest", "preview", "--since", "yesterday"},
	} {
		_, errOut, code := run(t, env, args...)
		if code != ExitUsage || !strings.Contains(errOut, "digest") {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}

// The scheduler serve runs stores the configured subscriptions.
func TestNewDigestScheduler(t *testing.T) {
	cfg := config.Default()
	cfg.Digest.Timezone = "Europe/Berlin"
	cfg.Digest.Subscriptions = []config.Subscription{{Channel: "123", Schedule: "weekdays 18:30", Lang: "en"}}
	db, err := storage.Open(filepath.Join(t.TempDir(), "baobot.db"), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sched, err := newDigestScheduler(&app{cfg: cfg}, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	subs, err := sched.List()
	if err != nil || len(subs) != 1 || subs[0].Channel != "123" || subs[0].Schedule != "weekdays 18:30" || sched.Zone().String() != "Europe/Berlin" {
		t.Errorf("subscriptions %+v, %v; zone %v", subs, err, sched.Zone())
	}
	cfg.Digest.Subscriptions[0].Max = 500
	if _, err := newDigestScheduler(&app{cfg: cfg}, db, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a max of 500 accepted")
	}
}
