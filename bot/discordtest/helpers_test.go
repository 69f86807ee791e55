package discordtest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/bwmarrin/discordgo"
)

// wait is the timeout of every wait in these tests: generous for -race on a
// slow machine, short enough to fail fast.
const wait = 5 * time.Second

// newSession returns a discordgo session whose REST traffic goes to srv,
// without opening the gateway.
func newSession(t *testing.T, srv *discordtest.Server, token string) *discordgo.Session {
	t.Helper()
	dg, err := discordgo.New("Bot " + token)
	if err != nil {
		t.Fatal(err)
	}
	dg.Client = &http.Client{Transport: srv.Transport(), Timeout: 10 * time.Second}
	return dg
}

// open connects a session to srv's gateway; setup runs before Open (add
// handlers there). The session is closed by t.Cleanup, before srv.
func open(t *testing.T, srv *discordtest.Server, setup func(*discordgo.Session)) *discordgo.Session {
	t.Helper()
	dg := newSession(t, srv, srv.Token())
	if setup != nil {
		setup(dg)
	}
	if err := openTimeout(dg); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		// Dodge discordgo's race between Close and its first heartbeat.
		_ = srv.WaitForHeartbeat(2 * time.Second)
		_ = dg.Close()
	})
	return dg
}

// openTimeout calls dg.Open, which has no deadline of its own.
func openTimeout(dg *discordgo.Session) error {
	done := make(chan error, 1)
	go func() { done <- dg.Open() }()
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		return errors.New("Open did not return")
	}
}

// events forwards every event of type T that the session receives.
func events[T any](dg *discordgo.Session) <-chan T {
	ch := make(chan T, 64)
	dg.AddHandler(func(_ *discordgo.Session, e T) {
		select {
		case ch <- e:
		default:
		}
	})
	return ch
}

// next receives from ch or fails the test after wait.
func next[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// restError asserts err is a *discordgo.RESTError with the status and
// Discord error code, and returns it.
func restError(t *testing.T, err error, status, code int) *discordgo.RESTError {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not a *discordgo.RESTError", err, err)
	}
	if re.Response.StatusCode != status {
		t.Fatalf("status %d, want %d (%s)", re.Response.StatusCode, status, re.ResponseBody)
	}
	if re.Message == nil || re.Message.Code != code {
		t.Fatalf("code %+v, want %d (%s)", re.Message, code, re.ResponseBody)
	}
	return re
}

// formErrorCode digs the first error code at path out of a 50035 body.
func formErrorCode(t *testing.T, body []byte, path ...string) string {
	t.Helper()
	var v struct {
		Errors map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	node := v.Errors
	for _, p := range path {
		next, ok := node[p].(map[string]any)
		if !ok {
			t.Fatalf("no errors at %v in %s", path, body)
		}
		node = next
	}
	list, _ := node["_errors"].([]any)
	if len(list) == 0 {
		t.Fatalf("no _errors at %v in %s", path, body)
	}
	return list[0].(map[string]any)["code"].(string)
}

func count(events []discordtest.GatewayEvent, kind discordtest.GatewayEventKind) int {
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func kindIs(kind discordtest.GatewayEventKind) func(discordtest.GatewayEvent) bool {
	return func(e discordtest.GatewayEvent) bool { return e.Kind == kind }
}
