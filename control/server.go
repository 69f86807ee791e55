package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/storage"
)

// Runner runs one forwarded command line against db, writing what the
// command prints to stdout and stderr, and returns its exit code. It must
// not close db. ctx is cancelled when the client leaves or the server
// stops; a long command should stop at its next safe point. cli.RunForwarded
// is the Runner of baobot.
type Runner func(ctx context.Context, db *storage.DB, req Request, stdout, stderr io.Writer) int

// Options bound a Server. The zero value gives the defaults.
type Options struct {
	// Logger receives the server's log lines; nil means slog.Default().
	Logger *slog.Logger
	// MaxSessions is how many commands run at once; default 8.
	MaxSessions int
	// MaxWaiting is how many more commands may wait for a session; more
	// are refused as busy at once. Default 64.
	MaxWaiting int
	// QueueTimeout is how long a command waits for a free session before
	// it is refused as busy; default 30 s.
	QueueTimeout time.Duration
	// MaxRequestBytes is the largest request taken; default 4 MiB (more
	// than a shell passes to a command).
	MaxRequestBytes int
	// RequestTimeout is how long a client has, once connected, to send its
	// request; default 10 s.
	RequestTimeout time.Duration
	// WriteTimeout is how long a client may leave a piece of output unread
	// before it is dropped (and its command cancelled); default 1 min.
	WriteTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = 8
	}
	if o.MaxWaiting <= 0 {
		o.MaxWaiting = 64
	}
	if o.QueueTimeout <= 0 {
		o.QueueTimeout = 30 * time.Second
	}
	if o.MaxRequestBytes <= 0 {
		o.MaxRequestBytes = 4 << 20
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 10 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = time.Minute
	}
	return o
}

// Server runs forwarded commands against an open database. Create it with
// Serve; it is safe for concurrent use.
type Server struct {
	path  string
	db    *storage.DB
	run   Runner
	opts  Options
	log   *slog.Logger
	ln    *net.UnixListener
	ident fs.FileInfo // the socket file this server created

	ctx    context.Context // cancelled by Close or by Serve's ctx
	cancel context.CancelFunc

	sessions chan struct{} // one token per running command
	conns    chan struct{} // one token per connection being handled
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// Serve listens on SocketPath(db.Path()) and runs the commands it receives
// with run against db, until ctx is cancelled or Close is called. It returns
// (nil, nil) when cfg.Discord.AdminSocket is false.
//
// A socket file left by a process that is gone is replaced. Serve returns an
// error wrapping ErrServing when a live server already answers there, and
// an error when the path is too long for a socket or something else that is
// not a socket is in the way.
func Serve(ctx context.Context, db *storage.DB, cfg config.Config, run Runner, opts Options) (*Server, error) {
	if !cfg.Discord.AdminSocket {
		return nil, nil
	}
	if db == nil || run == nil {
		return nil, errors.New("control: Serve needs a database and a Runner")
	}
	opts = opts.withDefaults()
	path := SocketPath(db.Path())
	ln, ident, err := listen(path)
	if err != nil {
		return nil, err
	}
	s := &Server{
		path: path, db: db, run: run, opts: opts, log: opts.Logger,
		ln: ln, ident: ident,
		sessions: make(chan struct{}, opts.MaxSessions),
		conns:    make(chan struct{}, opts.MaxSessions+opts.MaxWaiting),
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1)
	go s.accept()
	go func() {
		<-s.ctx.Done()
		s.stop()
	}()
	s.log.Info("control: listening", "socket", path)
	return s, nil
}

// Path is the socket's path ("" for a nil Server).
func (s *Server) Path() string {
	if s == nil {
		return ""
	}
	return s.path
}

// Close stops taking commands, removes the socket file, cancels the
// commands still running (an ingest stops between articles) and waits for
// them to return. Call it before closing the database. It does nothing on a
// nil Server and may be called more than once.
func (s *Server) Close() error {
	if s == nil {
		return nil
	}
	s.cancel()
	s.stop()
	s.wg.Wait()
	return nil
}

// stop closes the listener and removes the socket file, if it is still
// the one this server created.
func (s *Server) stop() {
	s.stopOnce.Do(func() {
		s.ln.Close()
		if fi, err := os.Lstat(s.path); err == nil && os.SameFile(fi, s.ident) {
			os.Remove(s.path)
		}
	})
}

// listen creates the socket at path with mode 0600, replacing a stale
// socket file but never a live server's.
func listen(path string) (*net.UnixListener, fs.FileInfo, error) {
	if err := checkSocketPath(path); err != nil {
		return nil, nil, err
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != fs.ModeSocket {
			return nil, nil, fmt.Errorf("control: %s exists and is not a socket: move it away", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, nil, fmt.Errorf("control: %s: %w", path, ErrServing)
		}
		// Nobody answers: a stale socket, replaced by the rename below.
	}
	// Bind in a directory only we can enter, set the mode, then rename into
	// place: the socket is never reachable with a wider mode, whatever the
	// umask, and no other file creation of the process is affected.
	dir, err := os.MkdirTemp(filepath.Dir(path), ".bbs")
	if err != nil {
		return nil, nil, fmt.Errorf("control: %w", err)
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "s")
	if err := checkSocketPath(tmp); err != nil {
		return nil, nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, nil, fmt.Errorf("control: %w", err)
	}
	ln.SetUnlinkOnClose(false) // it will not be at tmp; stop removes it
	fail := func(err error) (*net.UnixListener, fs.FileInfo, error) {
		ln.Close()
		return nil, nil, fmt.Errorf("control: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	ident, err := os.Lstat(path)
	if err != nil {
		return fail(err)
	}
	return ln, ident, nil
}

// accept takes connections until the listener closes.
func (s *Server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.AcceptUnix()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("control: accept", "err", err)
			select {
			case <-time.After(100 * time.Millisecond): // do not spin on a persistent error
			case <-s.ctx.Done():
				return
			}
			continue
		}
		select {
		case s.conns <- struct{}{}:
		default:
			// Far more clients than sessions: refuse this one at once,
			// without reading its request (the client reads the refusal
			// before it sees the connection closed).
			conn.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			writeFrame(conn, kindRefused, []byte(fmt.Sprintf("busy: %d commands are running and %d waiting; try again", s.opts.MaxSessions, s.opts.MaxWaiting)))
			conn.Close()
			s.log.Warn("control: too many clients; refused one")
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.conns }()
			s.handle(conn)
		}()
	}
}

// handle serves one connection: one command.
func (s *Server) handle(conn *net.UnixConn) {
	defer conn.Close()
	start := time.Now()
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	fc := &frameConn{conn: conn, timeout: s.opts.WriteTimeout, gone: cancel}
	refuse := func(reason string) {
		fc.frame(kindRefused, []byte(reason))
		s.log.Warn("control: refused a command", "reason", reason)
	}

	conn.SetReadDeadline(time.Now().Add(s.opts.RequestTimeout))
	kind, payload, err := readFrame(conn, s.opts.MaxRequestBytes)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return // a probe: someone checked that we answer
		}
		if errors.Is(err, errFrameTooLarge) {
			refuse(fmt.Sprintf("request over %d bytes", s.opts.MaxRequestBytes))
			return
		}
		s.log.Warn("control: reading a request", "err", err)
		return
	}
	conn.SetReadDeadline(time.Time{})
	var req Request
	if kind != kindRequest {
		refuse("not a request")
		return
	}
	if err := json.Unmarshal(payload, &req); err != nil {
		refuse("malformed request")
		return
	}
	switch {
	case req.Version != Version:
		refuse(fmt.Sprintf("it speaks protocol version %d, this baobot %d: use the same baobot binary as the running one, or restart it", Version, req.Version))
		return
	case len(req.Args) == 0:
		refuse("empty command line")
		return
	case !filepath.IsAbs(req.Dir):
		refuse("the working directory is not an absolute path")
		return
	}

	timer := time.NewTimer(s.opts.QueueTimeout)
	select {
	case s.sessions <- struct{}{}:
		timer.Stop()
	case <-timer.C:
		refuse(fmt.Sprintf("busy: %d commands are running; try again", s.opts.MaxSessions))
		return
	case <-ctx.Done():
		refuse("it is shutting down")
		return
	}
	defer func() { <-s.sessions }()

	if fc.frame(kindAccepted, nil) != nil {
		return
	}
	// The client sends nothing more: a read returns when it disconnects
	// (or when conn is closed as this session ends).
	go func() {
		var b [1]byte
		conn.Read(b[:])
		cancel()
	}()
	s.log.Debug("control: running", "args", req.Args, "dir", req.Dir)
	code := s.runSafely(ctx, req, stream{fc, kindStdout}, stream{fc, kindStderr})
	left := ctx.Err() != nil && s.ctx.Err() == nil
	fc.frame(kindExit, exitPayload(code))
	s.log.Info("control: ran a command", "exit", code, "duration", time.Since(start).Round(time.Millisecond), "client_left", left)
}

// runSafely runs a command, turning a panic into a failure.
func (s *Server) runSafely(ctx context.Context, req Request, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("control: command panicked", "panic", p, "args", req.Args, "stack", string(debug.Stack()))
			fmt.Fprintln(stderr, "baobot: internal error in the running baobot (see its log)")
			code = 1
		}
	}()
	return s.run(ctx, s.db, req, stdout, stderr)
}
