package retrieval

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLeadLine(t *testing.T) {
	long := strings.Repeat("Thủ tướng Nhật Bản gặp Tổng thống Mỹ tại Washington, ", 10)
	tests := []struct {
		name string
		a    Article
		max  int
		want string
	}{
		{"summary first, spaces collapsed", Article{Summary: "  Hai bên   khẳng định\nliên minh. ", Body: "Câu khác hẳn ở đây nhé."}, 200,
			"Hai bên khẳng định liên minh."},
		{"summary cut at a word", Article{Summary: "one two three four five six"}, 12, "one two…"},
		{"the sentence the others share most words with", Article{Language: "en", Body: "" +
			"Weather was mild in the morning across the region.\n" +
			"The central bank raised interest rates by half a point on Tuesday. " +
			"Economists expected the bank to raise rates after inflation rose. " +
			"Markets fell after the central bank decision on interest rates."}, 200,
			"The central bank raised interest rates by half a point on Tuesday."},
		{"a sentence that repeats the title is passed over", Article{Language: "en", Title: "Bank raises rates", Body: "" +
			"Bank raises rates.\nThe bank raised rates again on Tuesday, its third rise. Rates rose as the bank feared inflation."}, 200,
			"The bank raised rates again on Tuesday, its third rise."},
		{"a title cut from the first sentence is passed over", Article{Language: "en", Title: "The bank raised rates again on…", Body: "" +
			"The bank raised rates again on Tuesday, its third rise this year. Rates rose as the bank feared inflation would stay."}, 200,
			"Rates rose as the bank feared inflation would stay."},
		{"captions and fragments are passed over", Article{Language: "en", Body: "" +
			"Ảnh: the bank rates bank rates |\nHanoi.\nThe bank raised rates on Tuesday in Hanoi. Few saw the rise in rates coming."}, 200,
			"The bank raised rates on Tuesday in Hanoi."},
		{"a lone short sentence is still a lead", Article{Body: "Tin vắn."}, 200, "Tin vắn."},
		{"a long sentence is cut to the limit", Article{Body: long}, 60, "Thủ tướng Nhật Bản gặp Tổng thống Mỹ tại Washington, Thủ…"},
		{"no text", Article{Title: "Only a title"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LeadLine(tt.a, tt.max)
			if got != tt.want {
				t.Errorf("LeadLine = %q, want %q", got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.max {
				t.Errorf("%d characters, more than %d", n, tt.max)
			}
		})
	}
}

func TestCutChars(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"hai bên khẳng định", 10, "hai bên…"},
		{"abcdefghijklmnop", 5, "abcd…"},
		{"ab cdefghijklmnop", 6, "ab cd…"}, // no space in the second half: cut in the word
		{"anything", 0, ""},
	}
	for _, tt := range tests {
		if got := cutChars(tt.in, tt.max); got != tt.want {
			t.Errorf("cutChars(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func FuzzLeadLine(f *testing.F) {
	f.Add("", "Một câu. Hai câu nữa ở đây.\nẢnh: chú thích |", 200)
	f.Add("tóm tắt", "", 5)
	f.Fuzz(func(t *testing.T, summary, body string, max int) {
		max = max%300 + 1
		if max < 1 {
			max = -max + 1
		}
		got := LeadLine(Article{Summary: summary, Body: body}, max)
		if n := utf8.RuneCountInString(got); n > max {
			t.Fatalf("%d characters, more than %d", n, max)
		}
	})
}
