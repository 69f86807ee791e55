package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/baobot/baobot/control"
	"github.com/baobot/baobot/storage"
)

// problemText says in a few words what each kind of problem means.
var problemText = map[storage.ProblemKind]string{
	storage.ProblemFile:             "the file itself is damaged",
	storage.ProblemSchema:           "the file's layout",
	storage.ProblemAnalysis:         "the analysis the postings were built with",
	storage.ProblemBucket:           "buckets the schema does not name",
	storage.ProblemArticleRecord:    "article records that do not decode",
	storage.ProblemArticleHash:      "articles whose content hash is wrong",
	storage.ProblemAdded:            "the index of articles by ingest time",
	storage.ProblemPassageRecord:    "passage records that do not decode",
	storage.ProblemPassageOrphan:    "passages of no stored article",
	storage.ProblemPassageMissing:   "articles missing passages",
	storage.ProblemStats:            "collection statistics differ from a recount",
	storage.ProblemLanguages:        "language counts differ from a recount",
	storage.ProblemRuns:             "postings runs",
	storage.ProblemNorms:            "passage lengths in the postings runs",
	storage.ProblemPostingsFormat:   "postings that do not decode",
	storage.ProblemPostingsBounds:   "postings lists whose bounds or skip tables are wrong",
	storage.ProblemPostingDangling:  "postings of passages that do not exist",
	storage.ProblemFormCount:        "counts of accent-folded words",
	storage.ProblemPostingsMismatch: "postings that differ from a fresh analysis of their article",
	storage.ProblemShown:            "saved answers that do not decode",
	storage.ProblemFeedback:         "votes that do not decode",
	storage.ProblemDigests:          "digest subscriptions that do not decode",
}

// runCheck verifies the database: `baobot check [--repair] [--json]`. It
// prints a verdict and what is wrong, if anything, and exits 1 when anything
// is. With --repair it then rebuilds everything that derives from the stored
// articles (storage.DB.Repair), checks again, and exits 0 when the database
// passes.
func runCheck(a *app, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	repair := fs.Bool("repair", false, "rebuild what derives from the stored articles")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("check takes no arguments")
	}
	rep, err := a.checkDatabase()
	if err != nil {
		return err
	}
	out := checkJSON{Before: reportJSON(rep)}
	if !*asJSON {
		printCheck(a.env.Stdout, rep)
	}
	if rep.OK() || !*repair {
		if *asJSON {
			out.After = out.Before
			if err := writeJSON(a.env.Stdout, out); err != nil {
				return err
			}
		}
		if !rep.OK() {
			if !*asJSON && rep.Repairable() {
				fmt.Fprintf(a.env.Stdout, "`baobot check --repair` rebuilds the passages, postings and statistics from the stored articles.\n")
			}
			return errReported
		}
		return nil
	}

	if !rep.Repairable() {
		if *asJSON {
			out.After = out.Before
			writeJSON(a.env.Stdout, out)
		} else {
			fmt.Fprintf(a.env.Stdout, "not repaired: the file itself is damaged, beyond what --repair rebuilds; restore a copy, or ingest the articles again into a new database.\n")
		}
		return errReported
	}
	after, rr, err := a.repairDatabase()
	if err != nil {
		return err
	}
	out.Repair = &repairJSON{Dropped: append([]string{}, rr.Dropped...), Rehashed: append([]string{}, rr.Rehashed...), Retimed: rr.Retimed, Articles: rr.Articles, Passages: rr.Passages}
	out.After = reportJSON(after)
	if *asJSON {
		if err := writeJSON(a.env.Stdout, out); err != nil {
			return err
		}
	} else {
		for _, d := range rr.Dropped {
			fmt.Fprintf(a.env.Stdout, "dropped %s: it did not decode\n", d)
		}
		for _, id := range rr.Rehashed {
			fmt.Fprintf(a.env.Stdout, "article %q: its text no longer matched its hash and was kept as it is; ingest it again if it looks damaged\n", id)
		}
		if rr.Retimed > 0 {
			fmt.Fprintf(a.env.Stdout, "gave %d articles a unique ingest time\n", rr.Retimed)
		}
		fmt.Fprintf(a.env.Stdout, "repaired: rebuilt %d articles into %d passages\n", rr.Articles, rr.Passages)
		printCheck(a.env.Stdout, after)
	}
	if !after.OK() {
		return errReported
	}
	return nil
}

// checkDatabase checks the database of the command line: the one a running
// baobot lent (Env.DB), the one a running baobot holds (by forwarding the
// command line to it), or the file itself, opened read-only.
func (a *app) checkDatabase() (*storage.CheckReport, error) {
	opts := storage.CheckOptions{Analyzer: a.analyzer}
	if a.env.DB != nil {
		return a.env.DB.Check(opts)
	}
	if code, err := a.forward(); err == nil {
		return nil, forwardedExit{code}
	} else if !errors.Is(err, control.ErrNoServer) {
		return nil, err
	}
	path := a.cfg.Database.Path
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no database at %s", path)
	}
	rep, err := storage.CheckFile(path, a.cfg.Database.LockTimeout, opts)
	if errors.Is(err, storage.ErrInUse) {
		// Perhaps a server has started since we looked.
		if code, ferr := a.forward(); ferr == nil {
			return nil, forwardedExit{code}
		} else if !errors.Is(ferr, control.ErrNoServer) {
			return nil, ferr
		}
	}
	return rep, err
}

// repairDatabase repairs the database checkDatabase checked and checks it
// again.
func (a *app) repairDatabase() (*storage.CheckReport, storage.RepairReport, error) {
	db := a.env.DB
	if db == nil {
		var err error
		db, err = storage.Open(a.cfg.Database.Path, storage.Options{Analyzer: a.analyzer, Timeout: a.cfg.Database.LockTimeout})
		if err != nil {
			return nil, storage.RepairReport{}, err
		}
		defer db.Close()
	}
	progress, finish := a.progressBar("repairing")
	rr, err := db.Repair(progress)
	finish()
	if err != nil {
		return nil, rr, err
	}
	after, err := db.Check(storage.CheckOptions{Analyzer: a.analyzer})
	return after, rr, err
}

// printCheck prints a report: what was counted, then the verdict and each
// problem with its examples.
func printCheck(w io.Writer, rep *storage.CheckReport) {
	if rep.Schema != 0 {
		fmt.Fprintf(w, "%s: %d articles, %d passages, %d postings runs, %d terms, %d postings (schema %d, analysis %d)\n",
			rep.Path, rep.Articles, rep.Passages, rep.Runs, rep.Terms, rep.Postings, rep.Schema, rep.Analysis)
	} else {
		fmt.Fprintf(w, "%s: could not be read\n", rep.Path)
	}
	if rep.OK() {
		what := "every check passed"
		if !rep.Analyzed {
			what += " (postings not compared with a fresh analysis: the index needs a reindex first)"
		}
		fmt.Fprintf(w, "ok: %s\n", what)
		return
	}
	n := 0
	for _, p := range rep.Problems {
		n += p.Count
	}
	fmt.Fprintf(w, "damaged: %s of %s\n", plural(n, "problem"), plural(len(rep.Problems), "kind"))
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %s: %d (%s)\n", p.Kind, p.Count, problemText[p.Kind])
		for _, e := range p.Examples {
			fmt.Fprintf(w, "    %s\n", e)
		}
		if more := p.Count - len(p.Examples); more > 0 {
			fmt.Fprintf(w, "    … and %d more\n", more)
		}
	}
}

// checkJSON is what `baobot check --json` prints: the report before, what
// a repair did and the report after (the same as before without a repair).
type checkJSON struct {
	Before checkReportJSON `json:"check"`
	Repair *repairJSON     `json:"repair,omitempty"`
	After  checkReportJSON `json:"after"`
}

type repairJSON struct {
	Dropped  []string `json:"dropped"`
	Rehashed []string `json:"rehashed"`
	Retimed  int      `json:"retimed"`
	Articles int      `json:"articles"`
	Passages int      `json:"passages"`
}

type problemJSON struct {
	Kind     storage.ProblemKind `json:"kind"`
	Count    int                 `json:"count"`
	Examples []string            `json:"examples"`
}

type checkReportJSON struct {
	Path     string        `json:"path"`
	OK       bool          `json:"ok"`
	Schema   uint32        `json:"schema"`
	Analysis uint32        `json:"analysis"`
	Articles int           `json:"articles"`
	Passages int           `json:"passages"`
	Runs     int           `json:"runs"`
	Terms    int           `json:"terms"`
	Postings int           `json:"postings"`
	Analyzed bool          `json:"analyzed"`
	Problems []problemJSON `json:"problems"`
}

func reportJSON(rep *storage.CheckReport) checkReportJSON {
	out := checkReportJSON{
		Path: rep.Path, OK: rep.OK(), Schema: rep.Schema, Analysis: rep.Analysis,
		Articles: rep.Articles, Passages: rep.Passages, Runs: rep.Runs, Terms: rep.Terms, Postings: rep.Postings,
		Analyzed: rep.Analyzed, Problems: []problemJSON{},
	}
	for _, p := range rep.Problems {
		out.Problems = append(out.Problems, problemJSON{p.Kind, p.Count, p.Examples})
	}
	return out
}

func writeJSON(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// plural is "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
