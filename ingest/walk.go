package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Walk parses every path in turn, in the order given, emitting Records as
// they are read. A path may be a file or a directory.
//
// A file named explicitly is parsed whatever it is: an unknown extension is
// one Record with ErrUnsupported. A directory is walked recursively in
// lexical order, and there only supported files are parsed: files with other
// extensions are skipped silently (a folder of articles may hold images or
// notes), as are hidden files and directories (a name starting with '.'),
// symbolic links to directories (never followed, so no cycles) and anything
// that is not a regular file. A file's ID is derived from its path relative
// to the walked directory (for a file named explicitly: its base name), see
// ParseFile.
//
// A path that does not exist or cannot be read is a Record with the
// operating system's error, and the walk goes on; a named path that is
// neither a file nor a directory (a device, a pipe) is ErrUnsupported. Walk returns only the
// error emit returned, which stops it at once.
func Walk(paths []string, opts Options, emit func(Record) error) error {
	return eachFile(paths,
		func(path, rel string, info fs.FileInfo) error {
			return parseFileAt(path, rel, info, opts, emit)
		},
		func(origin string, err error) error {
			return emit(Record{Origin: origin, Err: err})
		})
}

// ParseFile parses one file, choosing its format by extension, and emits
// its Records (see Parse). Origin is path as given.
//
// The ID of a text, Markdown or HTML article is derived from the file's
// path relative to the walked root without its extension, slugged to
// lower-case ASCII letters, digits, '-', '_' and '/' ("Tin tức/Bão số 3.md"
// walked from its parent becomes "tin-tuc/bao-so-3"); for ParseFile the root
// is the file's directory, so the ID is the slugged base name. Source is the
// base name ("Bão số 3.md"). Front matter may set either.
//
// A missing or unreadable file, or a directory, is a Record with an error.
// ParseFile returns only the error emit returned.
func ParseFile(path string, opts Options, emit func(Record) error) error {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return emit(Record{Origin: path, Err: err})
	case info.IsDir():
		return emit(Record{Origin: path, Err: fmt.Errorf("%w: is a directory (Walk reads directories)", ErrUnsupported)})
	case !info.Mode().IsRegular():
		return emit(Record{Origin: path, Err: errNotRegular})
	}
	return parseFileAt(path, filepath.Base(path), info, opts, emit)
}

// Count returns how many Records Walk would emit for the same arguments,
// to size a progress bar. It reads no article, but does read JSON Lines
// files through once to count their lines (a few hundred milliseconds for
// a 100 MB corpus). It is exact unless the files change in between.
func Count(paths []string, opts Options) int {
	n := 0
	_ = eachFile(paths,
		func(path, rel string, info fs.FileInfo) error {
			if f, _ := formatOf(rel); f != formatJSONL {
				n++
				return nil
			}
			file, err := os.Open(path)
			if err != nil {
				n++
				return nil
			}
			defer file.Close()
			n += countRecords(file, opts.maxLineBytes())
			return nil
		},
		func(string, error) error {
			n++
			return nil
		})
	return n
}

// eachFile calls file for every file Walk parses, with its path, its path
// relative to its root and its FileInfo (followed through a symbolic link),
// and report for every path that cannot be read. It returns the first
// error either returns.
func eachFile(paths []string, file func(path, rel string, info fs.FileInfo) error, report func(origin string, err error) error) error {
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			if err := report(root, err); err != nil {
				return err
			}
			continue
		}
		if !info.IsDir() {
			if !info.Mode().IsRegular() {
				err = report(root, errNotRegular)
			} else {
				err = file(root, filepath.Base(root), info)
			}
			if err != nil {
				return err
			}
			continue
		}
		walkRoot := root
		if l, err := os.Lstat(root); err == nil && l.Mode()&fs.ModeSymlink != 0 {
			// WalkDir does not follow a symbolic link at its root
			// unless the path ends in a separator.
			walkRoot = root + string(filepath.Separator)
		}
		err = filepath.WalkDir(walkRoot, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				// An unreadable directory: name it and go on
				// with its siblings.
				if rerr := report(path, err); rerr != nil {
					return stop{rerr}
				}
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if path != walkRoot && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !Supported(d.Name()) {
				return nil
			}
			info, err := os.Stat(path) // follows a symbolic link to a file
			if err != nil {
				if rerr := report(path, err); rerr != nil {
					return stop{rerr}
				}
				return nil
			}
			if !info.Mode().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(walkRoot, path)
			if err != nil {
				rel = d.Name()
			}
			if ferr := file(path, rel, info); ferr != nil {
				return stop{ferr}
			}
			return nil
		})
		if s, ok := errors.AsType[stop](err); ok {
			return s.err
		}
	}
	return nil
}

var errNotRegular = fmt.Errorf("%w: not a regular file", ErrUnsupported)

// stop carries an error from a callback out of filepath.WalkDir, so that it
// is told apart from WalkDir's own.
type stop struct{ err error }

func (s stop) Error() string { return s.err.Error() }

// parseFileAt opens and parses one file.
func parseFileAt(path, rel string, info fs.FileInfo, opts Options, emit func(Record) error) error {
	f := file{origin: path, rel: rel}
	r, err := os.Open(path)
	if err != nil {
		return emit(Record{Origin: path, Err: err})
	}
	defer r.Close()
	return parseStream(f, r, info.Size(), opts, emit)
}
