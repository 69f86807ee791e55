package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
)

// opsToken is recognizable, as a real one would be, so that a leak shows.
// Its last part is looked for alone too: a token cut in two still leaks.
const (
	opsToken       = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.opsLEAKCANARYabcdefghijklmnopqrstu"
	opsTokenSecret = "opsLEAKCANARYabcdefghijklmnopqrstu"
)

// servedProcess is a `baobot serve` running in-process for a test.
type servedProcess struct {
	stdout, stderr lockedBuffer
	stop           chan struct{}
	done           chan int
}

// startServe runs `baobot serve` with env until the test stops it (or ends).
func startServe(t *testing.T, env map[string]string) *servedProcess {
	t.Helper()
	p := &servedProcess{stop: make(chan struct{}), done: make(chan int, 1)}
	saved := serveSignals
	serveSignals = func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(parent)
		go func() {
			select {
			case <-p.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		return ctx, cancel
	}
	t.Cleanup(func() { serveSignals = saved })
	go func() {
		p.done <- Run([]string{"serve"}, Env{Stdout: &p.stdout, Stderr: &p.stderr,
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	}()
	t.Cleanup(func() {
		select {
		case <-p.stop:
		default:
			close(p.stop)
			<-p.done
		}
	})
	return p
}

// shutdown stops serve as SIGTERM would and returns its exit code.
func (p *servedProcess) shutdown(t *testing.T) int {
	t.Helper()
	close(p.stop)
	select {
	case code := <-p.done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
		return -1
	}
}

// logLine finds the first JSON log line of serve whose msg is msg.
func (p *servedProcess) logLine(msg string) map[string]any {
	sc := bufio.NewScanner(strings.NewReader(p.stderr.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			return rec
		}
	}
	return nil
}

// httpGet returns a GET's status and body, or status 0 when it failed.
func httpGet(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestServeOperations runs `baobot serve` as an operator would, with the
// token in a configuration file others may read, JSON logs at debug level
// and the metrics server on: the configuration warning is printed,
// /healthz and /metrics answer, and after commands, buttons, messages and
// faults (a dropped gateway, a 500, a global 429, a failed download) the
// token appears nowhere: not in stdout, stderr, /metrics, /healthz, any
// reply, or any request the bot made (their paths, queries, bodies and
// headers; Authorization excepted, on Discord's API only).
func TestServeOperations(t *testing.T) {
	srv := discordtest.New(t, discordtest.WithToken(opsToken))
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "baobot.toml")
	if err := os.WriteFile(cfgPath, []byte("[discord]\ntoken = \""+opsToken+"\"\nrate_limit_questions = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"BAOBOT_CONFIG":          cfgPath,
		"BAOBOT_DB":              filepath.Join(dir, "baobot.db"),
		"BAOBOT_DISCORD_API_URL": srv.URL(),
		"BAOBOT_LOG_LEVEL":       "debug",
		"BAOBOT_LOG_FORMAT":      "json",
		"BAOBOT_METRICS_ADDR":    "127.0.0.1:0",
	}
	// The token comes from the environment or the file, never a flag.
	if _, errOut, code := run(t, env, "serve", "--token", "x"); code != ExitUsage {
		t.Errorf("serve --token: exit %d, want %d\n%s", code, ExitUsage, errOut)
	}

	p := startServe(t, env)
	if _, err := srv.WaitForCommands("", 10*time.Second); err != nil {
		t.Fatalf("%v\nserve's log:\n%s", err, p.stderr.String())
	}
	rec := p.logLine("serving /healthz and /metrics")
	if rec == nil {
		t.Fatalf("serve does not log its metrics address:\n%s", p.stderr.String())
	}
	base := "http://" + rec["addr"].(string)
	var health string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		status, body := httpGet(base + "/healthz")
		if status == http.StatusOK {
			health = body
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz: %d %s", status, body)
		}
	}
	if !strings.Contains(health, `"gateway":"ok"`) || !strings.Contains(health, `"database":"ok"`) {
		t.Errorf("/healthz: %s", health)
	}

	// Commands, buttons and messages, some meeting faults.
	user := discordtest.From{User: srv.AddUser("asker")}
	admin := discordtest.From{User: srv.AddUser("admin"), Permissions: discordgo.PermissionManageGuild}
	slash := func(name string, from discordtest.From, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.Message {
		t.Helper()
		in := srv.SlashCommand(discordtest.Slash{Name: name, From: from, Options: opts})
		reply, err := srv.WaitForReply(in, 10*time.Second)
		if err != nil {
			t.Fatalf("/%s: %v", name, err)
		}
		return reply
	}
	q := discordtest.StringOption("question", "Ngoại trưởng Mỹ là ai?")
	answer := slash("ask", user, q)
	for _, name := range []string{"help", "about", "articles"} {
		slash(name, user)
	}
	slash("search", user, discordtest.StringOption("query", "Kishida"))
	for _, c := range answer.Components { // 👍 and 👎
		for _, b := range c.(*discordgo.ActionsRow).Components {
			if id := b.(*discordgo.Button).CustomID; strings.HasPrefix(id, "vote:") {
				in := srv.Button(discordtest.Click{CustomID: id, MessageID: answer.ID, From: user})
				if _, err := srv.WaitForReply(in, 10*time.Second); err != nil {
					t.Errorf("button %s: %v", id, err)
				}
			}
		}
	}
	file := srv.AddAttachment("huou.txt", "text/plain", []byte("Hươu cao cổ\nĐàn hươu cao cổ lớn nhất châu Phi được phát hiện ở Tsavo.\n"))
	slash("add", admin, discordtest.AttachmentOption("file", file))
	srv.FailNext(discordtest.RouteAttachment, http.StatusNotFound)
	slash("add", admin, discordtest.AttachmentOption("file", file))
	slash("remove", user, discordtest.StringOption("id", "huou")) // refused: not an admin
	for _, m := range []*discordgo.Message{
		srv.DirectMessage(discordtest.Msg{Content: "Ngoai truong My la ai?", From: user}),
		srv.Mention(discordtest.Msg{Content: "Thủ tướng Nhật Bản là ai?", From: user}),
	} {
		if _, err := srv.WaitForReplyTo(m, 10*time.Second); err != nil {
			t.Errorf("message: %v", err)
		}
	}
	srv.FailNext(discordtest.RouteInteractionCallback, http.StatusInternalServerError)
	slash("ask", user, q)
	srv.RateLimitNext(discordtest.RouteInteractionCallback, 300*time.Millisecond, true)
	slash("ask", user, q)
	if err := srv.WaitForHeartbeat(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	srv.DropConnections()
	slash("ask", user, q)

	// A question is counted just after its reply is sent, and the
	// reconnection once the supervisor has seen it: poll.
	wants := []string{
		`baobot_questions_answered_total{confident="true",via="ask"} 4`,
		`baobot_questions_answered_total{confident="true",via="search"} 1`,
		`baobot_questions_answered_total{confident="true",via="message"} 2`,
		`baobot_answer_duration_seconds_count{via="ask"} 4`,
		`baobot_gateway_reconnects_total 1`,
		`baobot_rest_errors_total{status="500"} 1`,
		`baobot_rest_errors_total{status="429"} 1`,
		`baobot_gateway_connected 1`,
		`baobot_digests_posted_total 0`,
	}
	var metrics string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var status int
		status, metrics = httpGet(base + "/metrics")
		missing := ""
		for _, want := range wants {
			if !strings.Contains(metrics, want) {
				missing = want
				break
			}
		}
		if status == http.StatusOK && missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics (%d) lacks %s:\n%s", status, missing, metrics)
		}
	}

	_ = srv.WaitForHeartbeat(2 * time.Second)
	if code := p.shutdown(t); code != ExitOK {
		t.Errorf("serve exited %d:\n%s", code, p.stderr.String())
	}
	if status, _ := httpGet(base + "/healthz"); status != 0 {
		t.Errorf("/healthz still answers %d after serve stopped", status)
	}

	// The configuration warning, and JSON for every log line.
	stderr := p.stderr.String()
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(nil, 1<<20)
	warned := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "baobot: warning: ") {
			warned = warned || strings.Contains(line, "readable by group or others")
			continue
		}
		if !json.Valid([]byte(line)) {
			t.Errorf("a log line is not JSON: %q", line)
		}
	}
	if !warned {
		t.Errorf("no warning about the configuration file others may read:\n%s", stderr)
	}

	// The token, anywhere.
	leaks := func(what, s string) {
		t.Helper()
		if strings.Contains(s, opsToken) || strings.Contains(s, opsTokenSecret) {
			t.Errorf("the token appears in %s", what)
		}
	}
	leaks("stdout", p.stdout.String())
	leaks("stderr", stderr)
	leaks("/metrics", metrics)
	leaks("/healthz", health)
	for _, r := range srv.Requests() {
		what := r.Method + " " + r.Path
		leaks(what+" (path and query)", r.Path+"?"+r.Query.Encode())
		leaks(what+" (body)", string(r.Body))
		leaks(what+" (JSON)", string(r.JSON))
		leaks(what+" (response)", string(r.Response))
		for _, f := range r.Files {
			leaks(what+" (file)", string(f.Data))
		}
		for k, v := range r.Header {
			if k == "Authorization" && r.Route != discordtest.RouteAttachment {
				continue // Discord's API needs it
			}
			leaks(what+" (header "+k+")", strings.Join(v, " "))
		}
	}
	for _, m := range srv.Messages() {
		b, _ := json.Marshal(m)
		leaks("message "+m.ID, string(b))
	}
}

// TestConfigWarningEveryCommand: every command prints the warning about a
// configuration file holding the token that others may read, before
// anything else (here, a usage error).
func TestConfigWarningEveryCommand(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "baobot.toml")
	if err := os.WriteFile(cfgPath, []byte("[discord]\ntoken = \""+opsToken+"\"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BAOBOT_CONFIG": cfgPath, "BAOBOT_DB": filepath.Join(dir, "baobot.db"),
		"BAOBOT_DISCORD_API_URL": "http://127.0.0.1:9"} // nothing listens: serve must not get that far
	for _, c := range commands {
		_, errOut, _ := run(t, env, c.name, "--no-such-flag")
		if !strings.Contains(errOut, "baobot: warning: config file "+cfgPath+" holds discord.token and is readable by group or others") {
			t.Errorf("%s: no warning:\n%s", c.name, errOut)
		}
		if strings.Contains(errOut, opsToken) {
			t.Errorf("%s: the token appears in its output", c.name)
		}
	}
	// A file only its owner reads gets none.
	if err := os.Chmod(cfgPath, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, _ := run(t, env, "articles", "list"); strings.Contains(errOut, "warning") {
		t.Errorf("warning for a private file:\n%s", errOut)
	}
}
