// Package storage keeps baobot's index in a bbolt file. It is the only
// package that imports bbolt: a DB implements retrieval.Index, and its
// writes (Put, Remove, Reindex) keep the articles, their passages, the
// postings and the collection statistics in step, one transaction at a time.
//
// # Safety
//
// Open never writes to a file it did not create unless that file is a
// baobot index: a file that is not bbolt, or is bbolt without baobot's meta
// bucket, is refused with ErrNotBaobot and left byte-for-byte as it was. An
// index written by a newer baobot is refused with ErrNewerSchema. A file
// another process holds is refused with ErrInUse once Options.Timeout has
// passed, so Open never hangs.
//
// Every write is one bbolt transaction: it is applied whole or not at all,
// whatever fails and whenever the process dies. A damaged page that a read
// or a write comes upon is ErrCorrupt, never a panic; the write is rolled
// back (Check says what is damaged). A panic of the caller's code inside
// a View is its own, not damage: it goes on, the transaction rolled back.
//
// bbolt never shrinks a file, so Close compacts an index the DB wrote to
// when at least a quarter of its file (and 8 MB) holds no data (free pages,
// the empty part of pages), as after a large ingest: after walking the
// page tree as Check does, it copies the index into the file's path +
// ".compact", with 64 KB pages filled in key order, makes the copy durable
// and renames it over the index. A crash leaves one whole index or the
// other; the next Open for writing removes a leftover copy. An Open that
// waited for the lock of a file replaced meanwhile opens the new one.
//
// # Invariants
//
// After every committed write, except between the transactions of an
// unfinished Reindex (see DB.Reindex):
//
//   - the statistics in meta equal a recount of the passages bucket;
//   - every passage belongs to a stored article and lies in its passage range;
//   - the runs cover every stored passage, and their norms hold its length
//     (or mark it removed: a removed passage's postings stay in its run until
//     a merge drops them, and readers skip them);
//   - the postings read back are exactly what the analyzer makes of the
//     stored articles.
//
// # Schema
//
// The file holds seven top-level buckets (schema version 5; a file of
// version 4, which had no text dictionary, is upgraded in place when opened
// for writing; an older file, whose postings were one key per term (1),
// whose runs lack article marks (2) or whose article text is not compressed
// (3), is upgraded when opened for writing and then needs a reindex, which
// rewrites its article records), two more (shown, feedback) once a front end has recorded an
// answer it showed, and digests once a digest subscription is stored. Integers are big-endian in
// keys so that keys sort numerically; "uvarint" and "varint" are
// encoding/binary's variable-length integers; a "string" is a uvarint byte
// length followed by the bytes.
//
// meta: one key per field.
//
//	magic         "baobot"
//	schema        uint32, SchemaVersion of the code that wrote the file
//	analysis      uint32, the retrieval.AnalysisVersion of the postings;
//	              0 while a Reindex is unfinished
//	next_passage  uint32, the PassageID the next passage gets (from 1)
//	stats         3 × uint64: articles, passages, total passage length
//	last_added    int64, the latest ingest time given, in Unix nanoseconds
//	next_run      uint32, the number the next postings run gets
//	textdict      the text dictionary, once trained: a zstd dictionary
//	              (ID 0x62616f31) followed by its CRC-32C (Castagnoli),
//	              uint32
//
// An index gets its text dictionary right after the first write that
// leaves it with at least 300 articles, trained on 300 of their texts
// evenly spread over the articles bucket, and keeps it: it is never
// replaced (Repair removes a damaged one, with the texts it can no longer
// decompress). An index without one is read and written as before.
//
// articles: key = article ID (1 to 1024 bytes), value = a record:
//
//	byte     record version, 2
//	varint   ingest time, Unix nanoseconds
//	uvarint  first PassageID
//	uvarint  passage count; the article's passages are first … first+count-1
//	string   content hash (retrieval.Article.ContentHash)
//	string   analysis language (retrieval.IndexedArticle.Language)
//	string   title, URL, source, language (the article's own)
//	string   published: empty when unknown, else varint Unix seconds,
//	         uvarint nanoseconds and, unless in UTC, varint zone offset in
//	         seconds and string zone name
//	byte     text codec: 0 none, 1 zstd, 2 zstd with the text dictionary
//	bytes    to the end of the value, the text, compressed with the codec
//	         (one zstd frame, with its checksum): string summary, then the
//	         body to the end
//
// The small fields come first so that listing articles never reads a body.
// A text shorter than 64 bytes, or that compression would not shrink, is
// stored as it is. Texts are compressed with the dictionary once the index
// has one; those written before keep codec 1 until rewritten (a
// replacement, a reindex, or the compaction of Close). Records of version 1 (schema 3 and older, still read to
// reindex them) end with string summary, string body instead of the codec
// and text.
//
// passages: key = uint32 PassageID, value =
//
//	uvarint  ordinal (1-based position in the article)
//	uvarint  start, end: byte offsets into retrieval.Article.Text
//	uvarint  length in terms
//	bytes    article ID, to the end of the value
//
// Postings are kept in runs, as an LSM tree or Lucene's segments keep
// them. Every write transaction that adds passages writes their postings as
// one new, immutable run; when the last four runs are of one level they are
// merged into one run of the next level (a fresh run is level 0), so an
// index written in b batches has at most 3·log4(b) runs and every posting
// is rewritten once per level (a merge takes the entries of its runs in sort
// key order from a heap of their cursors). Runs are numbered in the order they were
// written, and a later run only holds later passages, so a term's postings
// are its postings in each run, concatenated.
//
// Only exact terms are stored. The postings of a folded term
// (retrieval.FoldedPrefix + form) are derived when read: the union of the
// postings of the exact terms whose retrieval.FoldedForm is form, but form
// itself, frequencies summed (the identity retrieval.FoldedForm documents).
// Terms sort under a sort key, FoldedForm(term) + 0x00 + term, so that the
// exact variants of one folded form are adjacent.
//
// runinfo: key = uint32 run number, value =
//
//	uvarint  level
//	uvarint  lo: the run's first PassageID
//	uvarint  removed: passages marked removed since the run was written
//	bytes    norms, to the end of the value: a 4-byte little-endian length
//	         in terms per passage lo, lo+1, …, with bit 31 set on the first
//	         passage of each article (an article's passages are consecutive
//	         and in one run); 0xFFFFFFFF for a passage that is removed (or
//	         was never stored)
//
// runs: one nested bucket per run, named by its uint32 number. Its keys
// are the sort keys of the first entry of each block, its values blocks: a
// sequence of entries in increasing sort key order, cut at about 1,000
// bytes so that several share a page. An entry is
//
//	uvarint  bytes its sort key shares with the previous entry's (0 first)
//	string   the rest of the sort key
//	string   the value: for a term (sort key form + 0x00 + term), its
//	         postings list; for a folded form alone (form + 0x00, written
//	         before the form's variants when there are two or more), a
//	         uvarint: how many passages the variants hold together, which
//	         is the document frequency of the form's folded group
//
// A postings list is
//
//	uvarint  count of postings
//	when count > 4 (for a shorter list, a reader derives both from its
//	postings and the run's norms)
//	uvarint  the greatest tf among them
//	uvarint  the least length (norm) of their passages
//	when count > 64, a skip table: the postings come in blocks of 64, and
//	for every block but the last
//	uvarint  its last PassageID − the previous block's last (the first: − lo)
//	uvarint  its length in bytes
//	then per posting, in increasing PassageID order
//	uvarint  (PassageID − previous PassageID) << 1 | (tf ≠ 1), the first
//	         relative to lo
//	uvarint  tf, only when tf ≠ 1
//
// The counts and bounds let a reader give a term group's document
// frequency and the most one posting can add to a BM25 score before
// decoding it, and the skip table lets it jump to a passage (MaxScore).
//
// Passage lengths (for BM25) live in the run's norms, not in every posting.
// Removing an article deletes its passages and marks them removed in their
// runs' norms; their postings are dropped at the next merge.
//
// added: key = uint64 ingest time in Unix nanoseconds + article ID, value
// empty. Ingest times are strictly increasing across the index, so this
// bucket orders articles by when they were added.
//
// languages: key = analysis language, value = uint64 number of articles
// analysed in it (no key for a count of zero, nor for an empty language).
//
// shown: the pages of answers a front end showed (feedback.go), created by
// the first one saved. key = uint64 ID from the bucket's sequence, value =
//
//	byte     version, 1
//	varint   when it was saved, Unix nanoseconds (increasing with the ID)
//	uvarint  offset: results shown before this page
//	string   question, language of the page
//	uvarint  article count, then a string per article ID, in order shown
//
// feedback: one vote per person per shown answer, created by the first
// vote. key = uint64 shown answer ID + voter (opaque bytes), value =
//
//	byte     version, 1
//	byte     1 helpful, 0 not helpful
//	varint   when it was cast, Unix nanoseconds
//
// digests: the digest subscriptions and where each is up to (digests.go),
// created by the first subscription stored. key = channel ID (1 to 64
// bytes), value =
//
//	byte     version, 1
//	byte     origin: 1 /digest in Discord, 2 the configuration file
//	string   guild, schedule, time zone, language, created by
//	uvarint  max (0: the configured default)
//	time     created
//	time     cursor: AddedAt of the newest article the last digest covered
//	time     last run, last posted, last failed
//	uvarint  articles the last post covered, failed attempts since a success
//	string   last error
//	byte     1 paused, 0 not
//	uvarint  count, then a string per article ID the last post listed
//
// A "time" there is a string: empty for none, else varint Unix seconds and
// uvarint nanoseconds (as an article's published time, always UTC).
package storage
