package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

func TestServeWithoutTokenSaysWhereToGetOne(t *testing.T) {
	env := dbEnv(t)
	_, errOut, code := run(t, env, "serve")
	if code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	for _, want := range []string{"developer portal", "Bot → Reset Token", "BAOBOT_DISCORD_TOKEN=", "[discord]"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("message lacks %q:\n%s", want, errOut)
		}
	}
	if _, err := os.Stat(env["BAOBOT_DB"]); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("serve without a token touched the database: %v", err)
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServe runs `baobot serve` against a local Discord: it registers the
// commands, answers, lets the command line work beside it, and on its
// signal stops cleanly, closing the database.
func TestServe(t *testing.T) {
	const token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.serveTestTokenabcdefghijklmnopqrstuv"
	srv := discordtest.New(t, discordtest.WithToken(token))
	env := dbEnv(t)
	env["BAOBOT_DISCORD_TOKEN"] = token
	env["BAOBOT_DISCORD_API_URL"] = srv.URL()
	env["BAOBOT_LOG_LEVEL"] = "debug"
	env["BAOBOT_METRICS_ADDR"] = "127.0.0.1:0" // not the default port: tests run side by side
	watched := t.TempDir()
	env["BAOBOT_INGEST_WATCH"] = watched
	env["BAOBOT_INGEST_WATCH_INTERVAL"] = "50ms"
	env["BAOBOT_DISCORD_RATE_LIMIT_QUESTIONS"] = "0" // the test polls

	stop := make(chan struct{})
	saved := serveSignals
	serveSignals = func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(parent)
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		return ctx, cancel
	}
	t.Cleanup(func() { serveSignals = saved })

	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run([]string{"serve"}, Env{Stdout: &stdout, Stderr: &stderr,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	}()
	stopped := false
	defer func() {
		if !stopped {
			close(stop)
			<-done
		}
	}()

	cmds, err := srv.WaitForCommands("", 10*time.Second)
	if err != nil {
		t.Fatalf("%v\nserve's log:\n%s", err, stderr.String())
	}
	if len(cmds) != 9 { // bot.commandTable
		t.Errorf("%d commands registered", len(cmds))
	}
	in := srv.SlashCommand(discordtest.Slash{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.StringOption("question", "Ngoại trưởng Mỹ là ai?")}})
	reply, err := srv.WaitForReply(in, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(reply.Embeds) == 0 || !strings.Contains(reply.Embeds[0].Description, "Antony Blinken") {
		t.Errorf("answer %+v", reply)
	}

	// Digests are enabled: an admin's /digest list answers (no subscription yet).
	admin := discordtest.From{User: srv.AddUser("admin"), Permissions: discordgo.PermissionManageGuild}
	in = srv.SlashCommand(discordtest.Slash{Name: "digest", From: admin, Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.SubCommand("list")}})
	reply, err = srv.WaitForReply(in, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if text := fmt.Sprint(reply.Content, reply.Embeds); strings.Contains(text, "not enabled") || strings.Contains(text, "chưa được bật") {
		t.Errorf("serve runs without digests: %s", text)
	}

	// The command line works beside it, through the control socket.
	out, errOut, code := run(t, env, "articles", "list")
	if code != ExitOK || !strings.Contains(out, "seed-000_motegi_blinken_call") {
		t.Errorf("articles list beside serve: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, env, "feedback", "export")
	if code != ExitOK || !strings.HasPrefix(out, "voted_at,vote,question") {
		t.Errorf("feedback export beside serve: exit %d\n%s%s", code, out, errOut)
	}

	// A file dropped in a watched folder becomes answerable.
	if err := os.WriteFile(filepath.Join(watched, "huou.txt"), []byte("Hươu cao cổ ở Kenya\nĐàn hươu cao cổ lớn nhất châu Phi vừa được phát hiện tại công viên quốc gia Tsavo.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	watcher := discordtest.From{User: srv.AddUser("watcher")}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		in := srv.SlashCommand(discordtest.Slash{Name: "search", From: watcher, Options: []*discordgo.ApplicationCommandInteractionDataOption{
			discordtest.StringOption("query", "hươu cao cổ Tsavo")}})
		reply, err := srv.WaitForReply(in, 10*time.Second)
		if err == nil && len(reply.Embeds) > 0 && len(reply.Embeds[0].Fields) > 0 && strings.Contains(reply.Embeds[0].Fields[0].Value, "Tsavo") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watched file is not answered: %+v, %v", reply, err)
		}
	}

	_ = srv.WaitForHeartbeat(2 * time.Second)
	close(stop)
	stopped = true
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("serve exited %d:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	db, err := storage.Open(env["BAOBOT_DB"], storage.Options{Analyzer: retrieval.NewAnalyzer(), Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("the database after serve: %v", err)
	}
	db.Close()
	if _, err := os.Stat(env["BAOBOT_DB"] + ".sock"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the control socket is left behind: %v", err)
	}
	log := stderr.String()
	if strings.Contains(log, token) {
		t.Errorf("the token appears in serve's log")
	}
	for _, want := range []string{"connected to Discord", "stopped"} {
		if !strings.Contains(log, want) {
			t.Errorf("serve's log lacks %q:\n%s", want, log)
		}
	}
}
