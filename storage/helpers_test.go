package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// analyzers are the analyses the write tests run with: baobot's own, whose
// terms the tests never assume, and a plain one whose terms are words.
var analyzers = []struct {
	name    string
	analyze analyzeFunc
}{
	{"retrieval", retrieval.NewAnalyzer().IndexArticle},
	{"words", wordAnalyzer},
}

// wordAnalyzer makes a passage of every line holding a word; its terms are
// the line's lower-cased words and its language the article's, else "vi".
func wordAnalyzer(a retrieval.Article) retrieval.IndexedArticle {
	return prefixAnalyzer("")(a)
}

// prefixAnalyzer is wordAnalyzer with prefix before every term: other rules
// over the same text.
func prefixAnalyzer(prefix string) analyzeFunc {
	return func(a retrieval.Article) retrieval.IndexedArticle {
		text := a.Text()
		out := retrieval.IndexedArticle{Article: a, Language: cmpOr(a.Language, "vi")}
		for start := 0; start <= len(text); {
			end := strings.IndexByte(text[start:], '\n')
			if end < 0 {
				end = len(text)
			} else {
				end += start
			}
			if words := strings.Fields(strings.ToLower(text[start:end])); len(words) > 0 {
				terms := make(map[string]uint32)
				for _, w := range words {
					terms[prefix+w]++
				}
				out.Passages = append(out.Passages, retrieval.IndexedPassage{
					Ordinal: len(out.Passages) + 1, Start: start, End: end, Length: uint32(len(words)), Terms: terms,
				})
			}
			start = end + 1
		}
		return out
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fixtures are articles with every field in use, or not.
func fixtures() []retrieval.Article {
	hanoi := time.FixedZone("ICT", 7*3600)
	return []retrieval.Article{
		{
			ID: "vnexpress-4731", Title: "Thủ tướng Nhật Bản thăm Việt Nam", URL: "https://vnexpress.net/4731",
			Source: "VnExpress", Published: time.Date(2024, 5, 1, 8, 30, 15, 123456789, hanoi), Language: "vi",
			Summary: "Thủ tướng Nhật Bản đến Hà Nội, bắt đầu chuyến thăm chính thức.",
			Body:    "Chuyến thăm kéo dài ba ngày.\nHai bên ký kết nhiều thỏa thuận hợp tác về kinh tế.\nHợp tác kinh tế là trọng tâm của chuyến thăm.",
		},
		{
			ID: "reuters/rates", Title: "Central bank holds rates", Source: "Reuters", Language: "en",
			Published: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC),
			Body:      "The central bank held rates steady on Thursday.\nInflation eased in April, the bank said.\nThe bank meets again in June.",
		},
		{ID: "untitled", Body: "Một bài viết không có tiêu đề, không có nguồn.\nChỉ có nội dung thôi."},
		{
			ID: "nfd:hòa", Title: "Ho\u0300a bi\u0300nh", Summary: "  spaced  summary  ",
			Body: "Hoa\u0300 bi\u0300nh cho mọi người.\n\n\nTabs\tand  double  spaces, then blank lines.",
		},
	}
}

// corpus generates n articles whose words follow a Zipf distribution, so a
// few terms are in most passages and most terms in few.
func corpus(seed uint64, n int, prefix string) []retrieval.Article {
	rng := rand.New(rand.NewPCG(seed, 1))
	zipf := rand.NewZipf(rng, 1.1, 2, 5000)
	out := make([]retrieval.Article, n)
	for i := range out {
		var b strings.Builder
		for p := range 2 + rng.IntN(5) {
			if p > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("common")
			for range 5 + rng.IntN(30) {
				fmt.Fprintf(&b, " w%d", zipf.Uint64())
			}
		}
		out[i] = retrieval.Article{ID: fmt.Sprintf("%s%05d", prefix, i), Title: fmt.Sprintf("Article %d", i), Body: b.String()}
	}
	return out
}

// openTest opens a new index in a temporary directory; it is closed when the
// test ends. analyze, if not nil, replaces the analysis.
func openTest(t testing.TB, analyze analyzeFunc) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "index.db"), Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	if analyze != nil {
		db.analyze = analyze
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// reopen closes db and opens its file again with opts and the same analysis.
func reopen(t testing.TB, db *DB, opts Options) *DB {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	analyze := db.analyze
	db, err := Open(db.Path(), opts)
	if err != nil {
		t.Fatal(err)
	}
	db.analyze = analyze // for checkIndex, even when read-only
	t.Cleanup(func() { db.Close() })
	return db
}

func put(t testing.TB, db *DB, articles ...retrieval.Article) []Outcome {
	t.Helper()
	outcomes, err := db.Put(articles)
	if err != nil {
		t.Fatal(err)
	}
	if db.textDictErr != nil {
		t.Fatal(db.textDictErr)
	}
	return outcomes
}

// txID is the ID of the last committed transaction: it changes with every
// write.
func txID(t testing.TB, db *DB) int {
	t.Helper()
	var id int
	if err := db.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

// snapshot is every key and value of every bucket.
func snapshot(t testing.TB, db *DB) map[string]string {
	t.Helper()
	all := make(map[string]string)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				all[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// decodedSnapshot is snapshot with the article records decoded: the same
// when only the compression of their texts changed.
func decodedSnapshot(t testing.TB, db *DB) map[string]string {
	t.Helper()
	all := snapshot(t, db)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			rec, err := decodeRecord(string(k), v, textSource{db: db, tx: tx})
			all[string(bucketArticles)+"/"+string(k)] = fmt.Sprintf("%+v", rec)
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func sameSnapshot(t testing.TB, before, after map[string]string) {
	t.Helper()
	if reflect.DeepEqual(before, after) {
		return
	}
	for k, v := range before {
		if w, ok := after[k]; !ok {
			t.Errorf("key %q gone", k)
		} else if v != w {
			t.Errorf("key %q changed", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("key %q appeared", k)
		}
	}
}

// sameArticle reports how got differs from want: strings byte for byte,
// Published the same instant in a zone of the same name and offset.
func sameArticle(got, want retrieval.Article) error {
	gotZone, gotOff := got.Published.Zone()
	wantZone, wantOff := want.Published.Zone()
	if !got.Published.Equal(want.Published) || gotOff != wantOff || gotZone != wantZone || got.Published.IsZero() != want.Published.IsZero() {
		return fmt.Errorf("published %v, want %v", got.Published, want.Published)
	}
	got.Published, want.Published = time.Time{}, time.Time{}
	if got != want {
		return fmt.Errorf("got %+v, want %+v", got, want)
	}
	return nil
}

// checkIndex recounts everything in db and fails t unless every invariant of
// the package doc holds. While db is current, the postings must also be
// exactly those of analysing the stored articles with db's analysis.
func checkIndex(t testing.TB, db *DB) {
	t.Helper()
	analyze := db.analyze
	if analyze == nil {
		analyze = retrieval.NewAnalyzer().IndexArticle
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("bbolt check: %w", err)
		}
		m, err := readMeta(tx)
		if err != nil {
			return err
		}

		// Articles, and the added bucket that orders them.
		recs := make(map[string]record)
		langs := make(map[string]uint64)
		err = tx.Bucket(bucketArticles).ForEach(func(k, v []byte) error {
			rec, err := decodeRecord(string(k), v, textSource{db: db, tx: tx})
			if err != nil {
				return err
			}
			if rec.hash != rec.article.ContentHash() {
				return fmt.Errorf("article %q: stored hash is not its content's", k)
			}
			if tx.Bucket(bucketAdded).Get(addedKey(rec.addedAt, rec.article.ID)) == nil {
				return fmt.Errorf("article %q: not in added", k)
			}
			if rec.addedAt > m.lastAdded {
				return fmt.Errorf("article %q: added after meta's last added", k)
			}
			if rec.language != "" {
				langs[rec.language]++
			}
			recs[string(k)] = rec
			return nil
		})
		if err != nil {
			return err
		}
		if n := tx.Bucket(bucketAdded).Stats().KeyN; n != len(recs) {
			return fmt.Errorf("added has %d keys for %d articles", n, len(recs))
		}

		// Passages: each in its article's range; their recount is the stats.
		type stored struct {
			ref    retrieval.PassageRef
			length uint32
		}
		passages := make(map[retrieval.PassageID]stored)
		recount := retrieval.Stats{Articles: uint64(len(recs))}
		err = tx.Bucket(bucketPassages).ForEach(func(k, v []byte) error {
			id := retrieval.PassageID(binary32(k))
			ref, length, err := decodePassage(id, v)
			if err != nil {
				return err
			}
			rec, ok := recs[ref.ArticleID]
			switch {
			case !ok:
				return fmt.Errorf("passage %d: article %q missing", id, ref.ArticleID)
			case id < rec.first || id >= rec.end():
				return fmt.Errorf("passage %d: outside its article's %d…%d", id, rec.first, rec.end())
			case id >= m.next:
				return fmt.Errorf("passage %d: not below next %d", id, m.next)
			}
			passages[id] = stored{ref, length}
			recount.Passages++
			recount.TotalLength += uint64(length)
			return nil
		})
		if err != nil {
			return err
		}
		if m.stats != recount {
			return fmt.Errorf("stats %+v, recount %+v", m.stats, recount)
		}
		if m.analysis != retrieval.AnalysisVersion {
			return nil // the rest holds once a Reindex has finished
		}
		r, err := newReader(db, tx)
		if err != nil {
			return err
		}
		if got := r.Languages(); !reflect.DeepEqual(got, langs) {
			return fmt.Errorf("languages %v, recount %v", got, langs)
		}
		for id, rec := range recs {
			for p := rec.first; p < rec.end(); p++ {
				if _, ok := passages[p]; !ok {
					return fmt.Errorf("article %q: passage %d missing", id, p)
				}
			}
		}

		// Runs: ordered, their norms those of the stored passages (or marked
		// removed); their entries sorted by sort key, each well formed and
		// naming stored passages in order.
		runs, err := loadRuns(tx)
		if err != nil {
			return err
		}
		covered := 0
		got := make(map[string][]retrieval.Posting)
		for i := range runs {
			run := &runs[i]
			if run.hi() > m.next || (i > 0 && runs[i-1].seq >= run.seq) {
				return fmt.Errorf("run %d: range %d…%d, next passage %d", run.seq, run.lo, run.hi(), m.next)
			}
			for id := run.lo; id < run.hi(); id++ {
				s, stored := passages[id]
				switch norm := run.norm(id); {
				case stored && norm != s.length:
					return fmt.Errorf("run %d: passage %d: norm %d, stored length %d", run.seq, id, norm, s.length)
				case !stored && norm != deletedNorm:
					return fmt.Errorf("run %d: passage %d: norm %d of a removed passage", run.seq, id, norm)
				case stored:
					covered++
					if start := run.articleStart(id); start != recs[s.ref.ArticleID].first {
						return fmt.Errorf("run %d: passage %d: article starts at %d, stored at %d", run.seq, id, start, recs[s.ref.ArticleID].first)
					}
				}
			}
			rc, err := newRunCursor(tx, run)
			if err != nil {
				return err
			}
			var prev []byte
			formCount := map[string]int{}                          // folded form → its entry's count
			formUnion := map[string]map[retrieval.PassageID]bool{} // → the passages of its variants
			formVariants := map[string]int{}
			for ; rc.ok; rc.advance() {
				key := rc.cur.key
				z := bytes.IndexByte(key, 0)
				if z == len(key)-1 { // a folded form's entry
					n, k := binary.Uvarint(rc.cur.postings)
					if k <= 0 || k != len(rc.cur.postings) {
						return fmt.Errorf("run %d: form entry %q: %x", run.seq, key, rc.cur.postings)
					}
					formCount[string(key[:z])] = int(n)
					prev = append(prev[:0], key...)
					continue
				}
				if z >= 0 {
					form := string(key[:z])
					if formUnion[form] == nil {
						formUnion[form] = map[retrieval.PassageID]bool{}
					}
					formVariants[form]++
					ps, _ := decodePostings(nil, rc.cur.postings, run)
					for _, p := range ps {
						formUnion[form][p.Passage] = true
					}
				}
				if z < 0 || !bytes.Equal(appendSortKey(nil, string(key[z+1:])), key) {
					return fmt.Errorf("run %d: key %q is no term's sort key", run.seq, key)
				}
				if prev != nil && bytes.Compare(prev, key) >= 0 {
					return fmt.Errorf("run %d: key %q after %q", run.seq, key, prev)
				}
				prev = append(prev[:0], key...)
				term := string(key[z+1:])
				ps, err := decodePostings(nil, rc.cur.postings, run)
				if err != nil {
					return err
				}
				if n := len(got[term]); n > 0 && len(ps) > 0 && got[term][n-1].Passage >= ps[0].Passage {
					return fmt.Errorf("term %q: run %d overlaps the runs before", term, run.seq)
				}
				got[term] = append(got[term], ps...)
			}
			if rc.err != nil {
				return rc.err
			}
			for form, variants := range formVariants {
				count, ok := formCount[form]
				switch {
				case variants > 1 && !ok:
					return fmt.Errorf("run %d: form %q of %d variants without its entry", run.seq, form, variants)
				case variants == 1 && ok:
					return fmt.Errorf("run %d: form %q of one variant with an entry", run.seq, form)
				case ok && run.removed == 0 && count != len(formUnion[form]):
					return fmt.Errorf("run %d: form %q: count %d, its variants hold %d passages", run.seq, form, count, len(formUnion[form]))
				}
			}
		}
		if covered != len(passages) {
			return fmt.Errorf("runs cover %d passages of %d", covered, len(passages))
		}
		if n := tx.Bucket(bucketRuns).Stats().BucketN - 1; n != len(runs) {
			return fmt.Errorf("%d run buckets for %d runs", n, len(runs))
		}
		for term, want := range got {
			if len(want) == 0 {
				delete(got, term) // every posting of a removed passage
				continue
			}
			ps, err := r.Postings(term)
			if err != nil {
				return err
			}
			if !slices.Equal(ps, want) {
				return fmt.Errorf("reader postings of %q differ from the runs'", term)
			}
		}

		// Exactly what analysing the stored articles gives.
		want := make(map[string][]retrieval.Posting)
		ids := make([]string, 0, len(recs))
		for id := range recs {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int { return int(recs[a].first) - int(recs[b].first) })
		for _, id := range ids {
			rec := recs[id]
			ia := analyze(rec.article)
			if len(ia.Passages) != int(rec.passages) || ia.Language != rec.language {
				return fmt.Errorf("article %q: %d passages in %q, analysis gives %d in %q", id, rec.passages, rec.language, len(ia.Passages), ia.Language)
			}
			for i, p := range ia.Passages {
				pid := rec.first + retrieval.PassageID(i)
				wantRef := retrieval.PassageRef{ArticleID: id, Ordinal: p.Ordinal, Start: p.Start, End: p.End}
				if s := passages[pid]; s.ref != wantRef || s.length != p.Length {
					return fmt.Errorf("passage %d: %+v length %d, analysis gives %+v length %d", pid, s.ref, s.length, wantRef, p.Length)
				}
				// Folded terms are read back derived from the exact ones
				// (retrieval.FoldedForm): expect them so, whether or not
				// the analysis lists them.
				derived := make(map[string]uint32)
				for term, tf := range p.Terms {
					if _, folded := retrieval.FoldedTerm(term); folded {
						continue
					}
					want[term] = append(want[term], retrieval.Posting{Passage: pid, TF: tf, Length: p.Length})
					if f := retrieval.FoldedForm(term); f != term {
						derived[retrieval.FoldedPrefix+f] += tf
					}
				}
				for term, tf := range derived {
					want[term] = append(want[term], retrieval.Posting{Passage: pid, TF: tf, Length: p.Length})
				}
			}
		}
		for term, ps := range want {
			read, err := r.Postings(term)
			if err != nil {
				return err
			}
			if !slices.Equal(read, ps) {
				return fmt.Errorf("postings of %q: %v, analysis gives %v", term, read, ps)
			}
			if _, folded := retrieval.FoldedTerm(term); !folded && !slices.Equal(got[term], ps) {
				return fmt.Errorf("stored postings of %q: %v, analysis gives %v", term, got[term], ps)
			}
		}
		// Cursors walk the groups ranking asks for as the decoded postings
		// say, and count them.
		for term := range want {
			groups := [][]string{{term}}
			if form, folded := retrieval.FoldedTerm(term); folded {
				groups = append(groups, []string{form, term})
			}
			for _, g := range groups {
				var merged []retrieval.Posting
				for _, t := range g {
					ps, err := r.Postings(t)
					if err != nil {
						return err
					}
					merged = retrieval.MergePostings(merged, ps)
				}
				if err := checkCursor(r, g, merged); err != nil {
					return err
				}
			}
		}
		for term := range got {
			if _, ok := want[term]; !ok {
				return fmt.Errorf("postings of %q, a term of no stored article", term)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("index %s: %v", db.Path(), err)
	}
}

func binary32(k []byte) uint32 {
	return uint32(k[0])<<24 | uint32(k[1])<<16 | uint32(k[2])<<8 | uint32(k[3])
}

// readFile returns the bytes of the file at path.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawUpdate changes the file at path with bbolt directly, as another program
// or an older baobot would.
func rawUpdate(t testing.TB, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(fn); err != nil {
		t.Fatal(err)
	}
}

var errBoom = errors.New("boom")

// checkCursor checks r's cursor over terms against their merged postings:
// walking it, counting it, and seeking in it.
func checkCursor(r *reader, terms []string, want []retrieval.Posting) error {
	c, st, err := r.Cursor(terms)
	if err != nil {
		return err
	}
	if st.DF != len(want) || (c == nil) != (len(want) == 0) {
		return fmt.Errorf("cursor %q: df %d, want %d", terms, st.DF, len(want))
	}
	for _, p := range want {
		if p.TF > st.MaxTF || p.Length < st.MinLength {
			return fmt.Errorf("cursor %q: posting %v outside the bounds %+v", terms, p, st)
		}
	}
	if c == nil {
		return nil
	}
	var walked []retrieval.Posting
	for c.Next() {
		walked = append(walked, c.Posting())
	}
	if !slices.Equal(walked, want) {
		return fmt.Errorf("cursor %q walks %v, want %v", terms, walked, want)
	}
	// A clone, made fresh or halfway, goes on from where its original was,
	// on another goroutine, neither moving the other: one walks, the other
	// seeks each posting.
	for _, at := range []int{0, len(want) / 2} {
		c, _, _ := r.Cursor(terms)
		for range at {
			c.Next()
		}
		clone := c.(retrieval.CloningCursor).Clone()
		walked := make(chan []retrieval.Posting)
		go func() {
			var ps []retrieval.Posting
			for clone.Next() {
				ps = append(ps, clone.Posting())
			}
			walked <- ps
		}()
		var sought []retrieval.Posting
		for _, p := range want[at:] {
			if c.Seek(p.Passage) {
				sought = append(sought, c.Posting())
			}
		}
		if got := <-walked; !slices.Equal(got, want[at:]) || !slices.Equal(sought, want[at:]) {
			return fmt.Errorf("cursor %q cloned after %d postings: the clone walks %v, the original seeks %v, want %v", terms, at, got, sought, want[at:])
		}
	}
	for step := 1; step < 9; step += 3 {
		c, _, _ := r.Cursor(terms)
		for i := 0; i < len(want); i += step {
			target := want[i].Passage
			if step > 1 && i > 0 {
				target = want[i-1].Passage + 1 // between postings
			}
			if !c.Seek(target) || c.Posting() != want[i] {
				return fmt.Errorf("cursor %q: Seek(%d) does not land on %v", terms, target, want[i])
			}
		}
		if c.Seek(want[len(want)-1].Passage + 1) {
			return fmt.Errorf("cursor %q: Seek past the end finds %v", terms, c.Posting())
		}
	}
	return nil
}

// addTerm queues one posting of term, numbering it in b's term table
// (made on first use).
func (b *postingsBatch) addTerm(term string, id retrieval.PassageID, tf uint32) {
	if b.terms == nil {
		b.terms = newTermTable()
	}
	b.add(id, []termTF{{b.terms.id(term), tf}})
}
