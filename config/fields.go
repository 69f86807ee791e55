package config

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// The struct tags read by this package:
//
//	toml:"key"             the option's TOML key, and so its environment variable
//	secret:"true"          the value is redacted in String, LogValue and errors
//	envalias:"NAME,NAME2"  further environment variables for the same option

// envPrefix starts every environment variable of an option.
const envPrefix = "BAOBOT_"

// kind is how an option's value is written in TOML and in the environment.
type kind int

const (
	kindString kind = iota
	kindBool
	kindInt
	kindFloat
	kindDuration
	kindStrings
	kindInt64s
	kindTable  // a section: a struct of options
	kindTables // an array of tables: a slice of structs, file only
)

var durationType = reflect.TypeFor[time.Duration]()

// kindOf classifies a field type. A type no kind covers is a programming
// error, caught by the tests that walk every field.
func kindOf(t reflect.Type) kind {
	if t == durationType {
		return kindDuration
	}
	switch t.Kind() {
	case reflect.String:
		return kindString
	case reflect.Bool:
		return kindBool
	case reflect.Int, reflect.Int64:
		return kindInt
	case reflect.Float64:
		return kindFloat
	case reflect.Struct:
		return kindTable
	case reflect.Slice:
		switch e := t.Elem(); {
		case e.Kind() == reflect.String:
			return kindStrings
		case e.Kind() == reflect.Int64 && e != durationType:
			return kindInt64s
		case e.Kind() == reflect.Struct:
			return kindTables
		}
	}
	panic(fmt.Sprintf("config: unsupported option type %s", t))
}

// tomlForm and envForm describe the expected form of a value, for errors.
func (k kind) tomlForm() string {
	switch k {
	case kindString:
		return `a string in quotes, such as "text"`
	case kindBool:
		return "true or false"
	case kindInt:
		return "a whole number, such as 5"
	case kindFloat:
		return "a number, such as 0.75"
	case kindDuration:
		return `a duration string, such as "30s", "500ms" or "1m30s"`
	case kindStrings:
		return `an array of strings, such as ["a", "b"]`
	case kindInt64s:
		return "an array of whole numbers, such as [123456789012345678]"
	case kindTable:
		return "a table"
	case kindTables:
		return "an array of tables"
	}
	return "?"
}

func (k kind) envForm() string {
	switch k {
	case kindString:
		return "any text"
	case kindBool:
		return "true or false"
	case kindInt:
		return "a whole number, such as 5"
	case kindFloat:
		return "a number, such as 0.75"
	case kindDuration:
		return "a duration, such as 30s, 500ms or 1m30s"
	case kindStrings:
		return "comma-separated text, such as a,b"
	case kindInt64s:
		return "comma-separated whole numbers, such as 123456789012345678,234567890123456789"
	}
	return "?"
}

// option is one leaf of Config reachable from the environment.
type option struct {
	key     string       // TOML key, such as "retrieval.k1"
	env     string       // environment variable, such as "BAOBOT_RETRIEVAL_K1"
	aliases []string     // further environment variables
	secret  bool         // redacted wherever it could be shown
	index   []int        // reflect field index from Config
	kind    kind         // value form
	typ     reflect.Type // Go type
}

// options lists every option of Config that has an environment variable, in
// struct order. Tables inside arrays of tables are not options.
var options = sync.OnceValue(func() []option {
	var out []option
	walkType(reflect.TypeFor[Config](), nil, nil, func(path []string, index []int, f reflect.StructField, k kind) {
		if k == kindTables {
			return
		}
		o := option{
			key:    strings.Join(path, "."),
			env:    envPrefix + strings.ToUpper(strings.Join(path, "_")),
			secret: f.Tag.Get("secret") == "true",
			index:  index,
			kind:   k,
			typ:    f.Type,
		}
		if a := f.Tag.Get("envalias"); a != "" {
			o.aliases = strings.Split(a, ",")
		}
		out = append(out, o)
	})
	return out
})

// walkType calls fn for every leaf field of struct type t and every array of
// tables (without descending into it), with its TOML key path and field index.
func walkType(t reflect.Type, path []string, index []int, fn func(path []string, index []int, f reflect.StructField, k kind)) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := tomlName(f)
		p := append(append([]string(nil), path...), name)
		ix := append(append([]int(nil), index...), i)
		k := kindOf(f.Type)
		if k == kindTable {
			walkType(f.Type, p, ix, fn)
			continue
		}
		fn(p, ix, f, k)
	}
}

// tomlName is the TOML key of a field; every field must have one.
func tomlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "" || name == "-" || !f.IsExported() {
		panic(fmt.Sprintf("config: field %s has no toml key", f.Name))
	}
	return name
}

// knownKeys is every key a config file may hold, tables included, with array
// of tables' keys written without an index ("digest.subscription.channel").
var knownKeys = sync.OnceValue(func() map[string]bool {
	known := map[string]bool{}
	var add func(t reflect.Type, path []string)
	add = func(t reflect.Type, path []string) {
		for i := range t.NumField() {
			f := t.Field(i)
			p := append(append([]string(nil), path...), tomlName(f))
			known[strings.Join(p, ".")] = true
			switch kindOf(f.Type) {
			case kindTable:
				add(f.Type, p)
			case kindTables:
				add(f.Type.Elem(), p)
			}
		}
	}
	add(reflect.TypeFor[Config](), nil)
	return known
})

// envOf returns the environment variable of a TOML key, or "" if it has none.
func envOf(key string) string {
	for _, o := range options() {
		if o.key == key {
			return o.env
		}
	}
	return ""
}

// secrets returns the non-empty values of c's secret options.
func (c *Config) secrets() []string {
	var out []string
	v := reflect.ValueOf(c).Elem()
	for _, o := range options() {
		if !o.secret {
			continue
		}
		if s := v.FieldByIndex(o.index).String(); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// normalize makes empty slices nil, so that a Config compares equal whether an
// empty list came from the defaults, the file (watch = []) or the environment.
func (c *Config) normalize() {
	v := reflect.ValueOf(c).Elem()
	walkType(v.Type(), nil, nil, func(_ []string, index []int, _ reflect.StructField, _ kind) {
		if f := v.FieldByIndex(index); f.Kind() == reflect.Slice && f.Len() == 0 {
			f.SetZero()
		}
	})
}
