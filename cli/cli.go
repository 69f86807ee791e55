// Package cli is baobot's command line: it parses arguments, loads the
// configuration, opens the database and runs one command. main only calls
// Run; tests call it too, in-process, with their own output buffers.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/baobot/baobot/config"
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
}

// command is one subcommand: a name, its usage, and what it does.
type command struct {
	name    string
	args    string // usage after the name
	summary string
	run     func(a *app, args []string) error
}

// commands is the table of subcommands, in the order help lists them.
var commands = []command{
	{"ask", "[--json] [-k N] QUESTION…", "answer a question with quoted snippets and their sources", runAsk},
	{"ingest", "PATH…", "add articles from .txt, .md, .html, .jsonl[.gz] files or folders", runIngest},
	{"articles", "list [--page N] | show ID | rm ID", "browse or remove the stored articles", runArticles},
	{"reindex", "", "rebuild passages and postings from the stored articles", runReindex},
	{"eval", "squad [--json] [--transform T] [--distractors FILE] FILE.json", "measure retrieval quality on a SQuAD-format file", runEval},
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
}

// Run runs the command line args (without the program name) and returns the
// exit code.
func Run(args []string, env Env) int {
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
	a := &app{env: env, cfg: cfg, analyzer: retrieval.NewAnalyzer()}
	err = cmd.run(a, cmdArgs)
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "baobot %s: %s\nusage: baobot %s %s\n", cmd.name, ue.msg, cmd.name, cmd.args)
		return ExitUsage
	case errors.Is(err, errReported):
		return ExitFailure
	default:
		fmt.Fprintf(env.Stderr, "baobot %s: %v\n", cmd.name, err)
		return ExitFailure
	}
}

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

// openDB opens the configured database and, when it was just created and
// seeding is on, loads the seed articles into it.
func (a *app) openDB() (*storage.DB, error) {
	db, err := storage.Open(a.cfg.Database.Path, storage.Options{
		Analyzer: a.analyzer,
		Timeout:  a.cfg.Database.LockTimeout,
	})
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
	return db, nil
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
