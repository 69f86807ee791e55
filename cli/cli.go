// Package cli is baobot's command line: it parses arguments, loads the
// configuration, opens the database and runs one command. main only calls
// Run; tests call it too, in-process, with their own output buffers.
//
// When another baobot (`baobot serve`) holds the database, a command marked
// forward in the commands table hands its whole command line to that process
// over the control socket beside the database (package control) and relays
// its output and exit code; the running process runs it with RunForwarded,
// through this same code, against the database it holds.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/control"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/seeds"
	"github.com/baobot/baobot/storage"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is the world a command runs in.
type Env struct {
	Stdout, Stderr io.Writer
	// LookupEnv reads environment variables; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Terminal is true when Stderr is an interactive terminal (progress
	// bars and bold marks are shown only then).
	Terminal bool
	// DB, when set, is the open database every command uses instead of
	// opening the configured one, and that no command closes: the one a
	// running baobot holds (see RunForwarded).
	DB *storage.DB
	// Dir is the directory relative paths of the command line are relative
	// to; empty means the process's working directory.
	Dir string
}

// command is one subcommand: a name, its usage, and what it does.
type command struct {
	name    string
	args    string // usage after the name
	summary string
	run     func(a *app, args []string) error
	// forward: when a running baobot holds the database, hand the command
	// line to it (package control) rather than fail with "in use". Leave it
	// false for commands that must run here (serve, eval's own database).
	forward bool
}

// commands is the table of subcommands, in the order help lists them.
var commands = []command{
	{"ask", "[--json] [-k N] QUESTION…", "answer a question with quoted snippets and their sources", runAsk, true},
	{"ingest", "PATH…", "add articles from .txt, .md, .html, .jsonl[.gz] files or folders", runIngest, true},
	{"articles", "list [--page N] | show ID | rm ID", "browse or remove the stored articles", runArticles, true},
	{"reindex", "", "rebuild passages and postings from the stored articles", runReindex, true},
	{"check", "[--repair] [--json]", "verify the database; --repair rebuilds what derives from the stored articles", runCheck, true},
	{"eval", "squad [--json] [--transform T] [--distractors FILE] FILE.json", "measure retrieval quality on a SQuAD-format file", runEval, false},
	{"serve", "", "answer on Discord (token in BAOBOT_DISCORD_TOKEN) until SIGINT or SIGTERM", runServe, false},
	{"feedback", "export", "print the 👍/👎 votes given to answers on Discord, as CSV", runFeedback, true},
	{"digest", "preview [--since 24h] [--max N] [--lang vi|en]", "print the digest of the articles added lately, as a channel gets it", runDigest, true},
}

// usageError is a mistake in how a command was called: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// app is what every command shares: configuration and output.
type app struct {
	env      Env
	cfg      config.Config
	analyzer *retrieval.Analyzer
	cmd      *command
	args     []string        // the whole command line, for forwarding
	ctx      context.Context // cancelled when a forwarded command's client leaves
	loc      *time.Location  // for local times; nil means time.Local
}

// forwarded is the context of a command line a running baobot received.
type forwarded struct {
	ctx context.Context
	cfg config.Config
	loc *time.Location
}

// Run runs the command line args (without the program name) and returns the
// exit code.
func Run(args []string, env Env) int {
	return runWith(args, env, nil)
}

// RunForwarded runs a command line that a client handed over the control
// socket against db, the database this process holds, and returns its exit
// code: it is the control.Runner of `baobot serve`. The command runs with the
// client's configuration, working directory and terminal, so it prints what
// it would have printed run alone. It never closes db.
func RunForwarded(ctx context.Context, db *storage.DB, req control.Request, stdout, stderr io.Writer) int {
	env := Env{
		Stdout: stdout, Stderr: stderr, Terminal: req.Terminal,
		LookupEnv: func(string) (string, bool) { return "", false },
		DB:        db, Dir: req.Dir,
	}
	return runWith(req.Args, env, &forwarded{ctx: ctx, cfg: req.Config, loc: clientLocation(req.TZ, req.TZSet)})
}

func runWith(args []string, env Env, fw *forwarded) int {
	if env.LookupEnv == nil {
		env.LookupEnv = os.LookupEnv
	}
	global := flag.NewFlagSet("baobot", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	configPath := global.String("config", "", "")
	dbPath := global.String("db", "", "")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(env.Stdout)
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "baobot: %v\n\n", err)
		printUsage(env.Stderr)
		return ExitUsage
	}
	rest := global.Args()
	if len(rest) == 0 || rest[0] == "help" {
		printUsage(env.Stdout)
		if len(rest) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == rest[0] {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(env.Stderr, "baobot: unknown command %q\n\n", rest[0])
		printUsage(env.Stderr)
		return ExitUsage
	}

	// --config and --db may also follow the command name.
	cmdArgs, cpath, dpath := extractGlobal(rest[1:], *configPath, *dbPath)
	a := &app{env: env, analyzer: retrieval.NewAnalyzer(), cmd: cmd, args: args, ctx: context.Background()}
	if fw != nil {
		// The client loaded its configuration (and warned about it).
		a.cfg, a.ctx, a.loc = fw.cfg, fw.ctx, fw.loc
		if err := a.checkForwarded(); err != nil {
			fmt.Fprintf(env.Stderr, "baobot %s: %v\n", cmd.name, err)
			return ExitFailure
		}
	} else {
		cfg, warnings, err := config.Load(cpath, env.LookupEnv)
		if err != nil {
			fmt.Fprintf(env.Stderr, "baobot: %v\n", err)
			return ExitFailure
		}
		for _, w := range warnings {
			fmt.Fprintf(env.Stderr, "baobot: warning: %s\n", w)
		}
		if dpath != "" {
			cfg.Database.Path = dpath
		}
		a.cfg = cfg
	}
	err := cmd.run(a, cmdArgs)
	var ue usageError
	var fwd forwardedExit
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &fwd):
		return fwd.code
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "baobot %s: %s\nusage: baobot %s %s\n", cmd.name, ue.msg, cmd.name, cmd.args)
		return ExitUsage
	case errors.Is(err, errReported):
		return ExitFailure
	default:
		fmt.Fprintf(env.Stderr, "baobot %s: %v\n", cmd.name, err)
		if errors.Is(err, storage.ErrCorrupt) && cmd.name != "check" {
			fmt.Fprintf(env.Stderr, "%s\n", corruptHint)
		}
		return ExitFailure
	}
}

// corruptHint follows the error of a command that found the database
// damaged: what was lost (nothing) and what to do.
const corruptHint = "Nothing was written. `baobot check` shows what is damaged, and `baobot check --repair` rebuilds what derives from the stored articles."

// errReported is returned by a command that already told the user what went
// wrong and only needs the failure exit code.
var errReported = errors.New("reported")

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "baobot answers questions about news articles by quoting them.\n\n")
	fmt.Fprintf(w, "usage: baobot [--config FILE] [--db PATH] COMMAND [ARGS]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
		fmt.Fprintf(w, "  %-9s   baobot %s %s\n", "", c.name, c.args)
	}
	fmt.Fprintf(w, "\nEvery option of config.example.toml can also be set with a BAOBOT_… environment variable.\n")
}

// extractGlobal removes --config/--db (and their values) from args.
func extractGlobal(args []string, cfgPath, dbPath string) (rest []string, c, d string) {
	c, d = cfgPath, dbPath
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || (name != "config" && name != "db") {
			rest = append(rest, arg)
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		if name == "config" {
			c = value
		} else {
			d = value
		}
	}
	return rest, c, d
}

// parseFlags parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// dbHandle is a database a command uses. Its Close closes a database the
// command opened, and leaves alone the one a running baobot lent it
// (Env.DB). Pass db.DB where a *storage.DB is needed.
type dbHandle struct {
	*storage.DB
	shared bool
}

// Close closes the database unless it is shared.
func (h *dbHandle) Close() error {
	if h.shared {
		return nil
	}
	return h.DB.Close()
}

// forwardedExit is returned by openDB when a running baobot ran the whole
// command line: Run only has to exit with its code.
type forwardedExit struct{ code int }

func (forwardedExit) Error() string { return "forwarded" }

// openDB opens the configured database and, when it was just created and
// seeding is on, loads the seed articles into it. It returns Env.DB when
// that is set.
//
// When a running baobot holds the database, a command marked forward hands
// it the command line instead (when discord.admin_socket is on) and openDB
// returns a forwardedExit error, which the command returns as it is: so a
// command must open the database before it prints anything.
func (a *app) openDB() (*dbHandle, error) {
	if a.env.DB != nil {
		return &dbHandle{DB: a.env.DB, shared: true}, nil
	}
	// A live server beside the database holds it: ask it straight away
	// rather than wait lock_timeout for the lock.
	if code, err := a.forward(); err == nil {
		return nil, forwardedExit{code}
	} else if !errors.Is(err, control.ErrNoServer) {
		return nil, err
	}
	db, err := storage.Open(a.cfg.Database.Path, storage.Options{
		Analyzer: a.analyzer,
		Timeout:  a.cfg.Database.LockTimeout,
	})
	if errors.Is(err, storage.ErrInUse) {
		// Perhaps a server has started since we looked.
		if code, ferr := a.forward(); ferr == nil {
			return nil, forwardedExit{code}
		} else if !errors.Is(ferr, control.ErrNoServer) {
			return nil, ferr
		}
	}
	if err != nil {
		return nil, err
	}
	if a.cfg.Database.Seed && db.Created() {
		arts, err := seeds.Articles()
		if err == nil {
			_, err = db.Put(arts)
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("loading the seed articles: %w", err)
		}
	}
	return &dbHandle{DB: db}, nil
}

// forward hands the command line to a running baobot that answers on the
// control socket beside the database, and returns its exit code. It returns
// (-1, an error wrapping control.ErrNoServer) when nothing ran: the command
// may not be forwarded, admin_socket is off, or no server answers.
func (a *app) forward() (int, error) {
	if !a.cmd.forward || !a.cfg.Discord.AdminSocket || a.env.DB != nil {
		return -1, control.ErrNoServer
	}
	sock := control.SocketPath(a.cfg.Database.Path)
	if _, err := os.Lstat(sock); err != nil {
		return -1, control.ErrNoServer
	}
	dir, err := os.Getwd()
	if err != nil {
		return -1, fmt.Errorf("%w: %w", control.ErrNoServer, err)
	}
	tz, tzSet := os.LookupEnv("TZ")
	code, err := control.Forward(sock, control.Request{
		Args: a.args, Dir: dir, Terminal: a.env.Terminal,
		TZ: tz, TZSet: tzSet, Config: a.cfg,
	}, a.env.Stdout, a.env.Stderr)
	if err != nil {
		return -1, err
	}
	return code, nil
}

// checkForwarded checks, in a running baobot, that a forwarded command may
// run here: it is marked forward and names the database this process holds.
func (a *app) checkForwarded() error {
	if !a.cmd.forward {
		return errors.New("cannot run inside a running baobot")
	}
	want, err1 := os.Stat(a.path(a.cfg.Database.Path))
	held, err2 := os.Stat(a.env.DB.Path())
	if err1 != nil || err2 != nil || !os.SameFile(want, held) {
		return fmt.Errorf("the running baobot holds %s, not %s", a.env.DB.Path(), a.cfg.Database.Path)
	}
	return nil
}

// path resolves a path of the command line against Env.Dir. It does not
// clean the result, so that ".." after a symbolic link means what it means
// to the system, as in a command run in Dir.
func (a *app) path(p string) string {
	if a.env.Dir == "" || filepath.IsAbs(p) {
		return p
	}
	return strings.TrimSuffix(a.env.Dir, string(filepath.Separator)) + string(filepath.Separator) + p
}

// location is where local times are shown.
func (a *app) location() *time.Location {
	if a.loc != nil {
		return a.loc
	}
	return time.Local
}

// clientLocation is the time zone a process with TZ (set or not) uses, as
// the time package sets time.Local.
func clientLocation(tz string, set bool) *time.Location {
	_, here := os.LookupEnv("TZ")
	switch {
	case !set && !here:
		return time.Local
	case !set:
		if data, err := os.ReadFile("/etc/localtime"); err == nil {
			if loc, err := time.LoadLocationFromTZData("Local", data); err == nil {
				return loc
			}
		}
		return time.UTC
	case tz == "" || tz == "UTC":
		return time.UTC
	}
	tz = strings.TrimPrefix(tz, ":")
	if filepath.IsAbs(tz) {
		if data, err := os.ReadFile(tz); err == nil {
			if loc, err := time.LoadLocationFromTZData(tz, data); err == nil {
				return loc
			}
		}
	} else if loc, err := time.LoadLocation(tz); err == nil {
		return loc
	}
	return time.UTC
}

// params are the retrieval parameters of the configuration.
func (a *app) params() retrieval.Params {
	p := retrieval.DefaultParams()
	r := a.cfg.Retrieval
	p.K1, p.B = r.K1, r.B
	p.MaxPerArticle = r.MaxPerArticle
	p.MinConfidence = r.MinConfidence
	p.SnippetChars = r.SnippetChars
	p.MaxQuestion = r.MaxQuestionChars
	return p
}
