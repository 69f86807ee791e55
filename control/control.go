// Package control lets the command line work beside a running `baobot serve`.
//
// bbolt lets one process at a time hold the database for writing, and serve
// holds it for as long as it runs. So serve also listens on a Unix socket
// beside the database (its path plus ".sock", mode 0600: only the user who
// runs serve can connect), and a command such as `baobot ingest`, `ask`,
// `articles` or `reindex` that finds the database held hands its whole
// command line to that process instead: the server runs it through the same
// command-line code against the database it already holds, streams back what
// it writes to stdout and stderr, and ends with its exit code. The user sees
// the same output and exit code as from a command run alone, and an article
// ingested that way is answerable at once.
//
// # Serving
//
// serve starts the server with one call after opening the database, and
// closes it before closing the database (in package cli, where serve lives,
// cli.RunForwarded is RunForwarded and the *storage.DB is a.openDB()'s .DB):
//
//	srv, err := control.Serve(ctx, db, cfg, cli.RunForwarded, control.Options{Logger: logger})
//	if err != nil {
//		return err // the socket path is too long, something is in the way, …
//	}
//	defer srv.Close() // runs before a deferred db.Close() registered earlier
//
// Serve returns (nil, nil) when cfg.Discord.AdminSocket is false; Close and
// Path of a nil *Server do nothing. Cancelling ctx stops the server like
// Close, except that only Close waits for the commands still running: call
// Close before closing the database. A forwarded `reindex` cannot be stopped
// part way, so Close waits for it to finish.
//
// # The client
//
// A command marked forward in cli's commands table (ask, ingest, articles,
// reindex; not serve or eval) tries the socket first when
// discord.admin_socket is on, so it does not wait out database.lock_timeout,
// and opens the database itself when nothing answers there (no socket file,
// or one left by a crashed process). If the database then turns out to be
// held (a serve is starting up), it tries the socket once more before it
// reports "in use". With admin_socket off it never forwards. It sends its
// arguments, working directory, whether its stderr is a terminal, its TZ
// and the configuration it loaded (without the Discord token), so the
// command runs as it would have run in the client.
//
// # Guarantees
//
// The socket is created in a private directory (mode 0700), set to mode 0600
// and only then renamed beside the database, so there is no moment when
// another user could connect. A socket file left by a crashed process is
// replaced; a live server already answering on the path is never displaced
// (Serve returns ErrServing).
//
// Commands run concurrently, each in its own goroutine against the one
// *storage.DB: readers never block, writes are serialised by storage and
// each write transaction commits whole or not at all. The server is bounded:
// at most Options.MaxSessions commands run at once, Options.MaxWaiting more
// wait up to Options.QueueTimeout (then are refused as busy; beyond them a
// client is refused at once), a request is at most
// Options.MaxRequestBytes and must arrive within Options.RequestTimeout, and
// a client that stops reading its output for Options.WriteTimeout is dropped.
// When a client disconnects (the user pressed Ctrl-C), the command's context
// is cancelled: an ingest stops between articles, keeping the batches already
// committed, as a standalone ingest killed at that point would; quick
// commands simply finish. A panic in a command is recovered, logged and
// reported to the client as a failure; it never takes serve down.
//
// # Protocol
//
// One connection carries one command. Every message is a frame: a kind
// byte, a big-endian uint32 length, and that many bytes. The client sends
// one request frame ('q', a JSON Request); the server answers 'a' (accepted:
// the command runs) or 'r' (refused, with a reason: nothing ran), then any
// number of 'o' (stdout) and 'e' (stderr) frames in the order the command
// wrote them, and finally 'x' with the exit code as a big-endian int32.
package control

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/baobot/baobot/config"
)

// Version is the protocol version. A server refuses a request of another
// version (a client binary newer or older than the running serve).
const Version = 1

// SocketPath is the path of the control socket of the database at dbPath.
func SocketPath(dbPath string) string { return dbPath + ".sock" }

// Request is one command line handed to a running server.
type Request struct {
	// Version is the client's protocol Version.
	Version int `json:"version"`
	// Args is the command line, without the program name, as the user
	// typed it.
	Args []string `json:"args"`
	// Dir is the client's working directory (absolute): relative paths on
	// the command line are relative to it. The server never changes its
	// own working directory.
	Dir string `json:"dir"`
	// Terminal is true when the client's stderr is a terminal, for progress
	// bars and bold marks.
	Terminal bool `json:"terminal"`
	// TZ is the client's TZ environment variable, and TZSet whether it is
	// set, so that local times print as the client would print them.
	TZ    string `json:"tz,omitempty"`
	TZSet bool   `json:"tz_set,omitempty"`
	// Config is the configuration the client loaded (its file and its
	// environment), which the command runs with. The Discord token is
	// never sent.
	Config config.Config `json:"config"`
}

// Errors of Serve and Forward.
var (
	// ErrServing: Serve found a live server already answering on the socket.
	ErrServing = errors.New("another baobot already answers on the control socket")
	// ErrNoServer: Forward found nothing answering on the socket (no file,
	// or one left by a process that is gone), or the server closed the
	// connection before taking the command. Nothing ran.
	ErrNoServer = errors.New("no running baobot answers on the control socket")
	// ErrLost: the connection broke after the server took the command, so
	// it may or may not have run to its end.
	ErrLost = errors.New("lost the connection to the running baobot before the command finished")
)

// RefusedError is returned by Forward when the server refused the command
// (it is busy, shutting down, or speaks another protocol version). Nothing
// ran.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return "the running baobot refused the command: " + e.Reason }

// maxSocketPath is the longest socket path the system takes (sun_path
// holds it with a terminating NUL).
func maxSocketPath() int {
	if runtime.GOOS == "linux" {
		return 107
	}
	return 103
}

func checkSocketPath(path string) error {
	if len(path) > maxSocketPath() {
		return fmt.Errorf("control: socket path %s is %d bytes, over the system's limit of %d: use a shorter database path", path, len(path), maxSocketPath())
	}
	return nil
}
