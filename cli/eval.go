package cli

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/baobot/baobot/evaluate"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// runEval measures retrieval quality:
// `baobot eval squad [--json] [--transform T] [--distractors FILE]
// [--questions OUT.jsonl] FILE.json`.
func runEval(a *app, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object")
	transform := fs.String("transform", "none", "rewrite questions: none, strip-accents, nfd or old-tone")
	var distractors stringList
	fs.Var(&distractors, "distractors", "extra articles (.jsonl[.gz] or any ingest source); repeatable")
	questionsPath := fs.String("questions", "", "also write how each question was answered to this file, one JSON object a line")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 || rest[0] != "squad" {
		return usagef("want: eval squad FILE.json")
	}
	if _, err := evaluate.Transform(*transform); err != nil {
		return usageError{err.Error()}
	}
	opts := evaluate.Options{
		Transform:   *transform,
		Distractors: distractors,
		Params:      a.params(),
		BatchSize:   a.cfg.Database.BatchSize,
	}
	var questions *bufio.Writer
	var questionsFile *os.File
	if *questionsPath != "" {
		if questionsFile, err = os.Create(*questionsPath); err != nil {
			return err
		}
		defer questionsFile.Close()
		questions = bufio.NewWriter(questionsFile)
		opts.Questions = questions
	}
	report, err := evaluate.SQuAD(rest[1], opts)
	if err != nil {
		return err
	}
	if questions != nil {
		if err := questions.Flush(); err != nil {
			return fmt.Errorf("writing %s: %w", *questionsPath, err)
		}
		if err := questionsFile.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", *questionsPath, err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(a.env.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(report)
	}
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s\ntransform\t%s\n", rest[1], *transform)
	fmt.Fprintf(tw, "questions\t%d\nparagraphs\t%d\ndistractors\t%d\n", report.Questions, report.Paragraphs, report.Distractors)
	fmt.Fprintf(tw, "recall@1\t%.4f\nrecall@5\t%.4f\nrecall@10\t%.4f\nMRR@10\t%.4f\n",
		report.RecallAt1, report.RecallAt5, report.RecallAt10, report.MRRAt10)
	fmt.Fprintf(tw, "snippet hit@1\t%.4f\nsnippet hit@3\t%.4f\nconfident\t%.4f\noff-topic confident\t%.4f\nzero results\t%d\n",
		report.SnippetHitAt1, report.SnippetHitAt3, report.ConfidentRatio, report.OffTopicConfident, report.ZeroResults)
	fmt.Fprintf(tw, "latency p50\t%.3f ms\nlatency p99\t%.3f ms\n", report.LatencyMsP50, report.LatencyMsP99)
	return tw.Flush()
}
