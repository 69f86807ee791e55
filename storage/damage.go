package storage

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// recoverDamage, deferred, turns the panic of bbolt or of this package
// reading a damaged page (an assertion, an index out of range on a
// malformed value, a read outside the mapping) into an ErrCorrupt error.
// Any other panic, such as a bug in the code a View runs over the
// reader, goes on as it was (bbolt has rolled the transaction back): it
// says nothing about the file, and its stack is what to read.
func recoverDamage(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if !panickedReading() {
		panic(r)
	}
	*err = fmt.Errorf("%w: %v", ErrCorrupt, r)
}

// thisPackage is the import path of this package.
var thisPackage = funcPackage(runtime.FuncForPC(reflect.ValueOf(funcPackage).Pointer()).Name())

// panickedReading reports whether the panic that recoverDamage, its
// caller, is recovering was raised in bbolt or in this package: in the
// first frame below the runtime's panic frames that is not of the
// standard library (a bytes or encoding/binary function fails on what
// its caller read).
func panickedReading() bool {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(3, pcs) // above runtime.Callers, panickedReading, recoverDamage
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		pkg := funcPackage(f.Function)
		first, _, _ := strings.Cut(pkg, "/")
		if pkg != "runtime" && strings.Contains(first, ".") {
			return pkg == thisPackage || pkg == "go.etcd.io/bbolt" || strings.HasPrefix(pkg, "go.etcd.io/bbolt/")
		}
		if !more {
			return false
		}
	}
}

// funcPackage is the import path of the package of a function named as
// runtime names them ("go.etcd.io/bbolt.(*Cursor).search").
func funcPackage(name string) string {
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}
