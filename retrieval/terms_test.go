package retrieval

import (
	"testing"
	"unicode"
)

// The fast folding path gives what folding by definition gives.
func TestFoldPrecomposedMatchesDefinition(t *testing.T) {
	for r := rune(0x80); r < 0x2000; r++ {
		if !unicode.IsLetter(r) {
			continue
		}
		for _, w := range []string{string(r), "a" + string(r) + "b", string(r) + string(r)} {
			if got, ok := foldPrecomposed(w); ok && got != foldAccentsSlow(w) {
				t.Errorf("%q: fast %q, slow %q", w, got, foldAccentsSlow(w))
			}
		}
	}
	for _, w := range []string{"hòa bình", "đường", "ngoại trưởng", "йогурт", "ёлка", "canción", "ho\u0300a", "한국"} {
		if foldAccents(w) != foldAccentsSlow(w) {
			t.Errorf("%q: %q, want %q", w, foldAccents(w), foldAccentsSlow(w))
		}
	}
}

// The identity FoldedForm documents holds for every analysed passage: a
// folded term's frequency is the sum of its exact variants'.
func TestFoldedTermsDerivable(t *testing.T) {
	an := NewAnalyzer()
	texts := []Article{
		{ID: "vi", Language: "vi", Body: "Thủ tướng Nhật Bản thăm Hà Nội. Hòa bình và hoà giải, thuỷ điện và thủy lợi; Đường đi. Nhat Ban du kien."},
		{ID: "en", Language: "en", Body: "The café owners' naïve résumés were running; Zürich and São Paulo."},
		{ID: "es", Language: "es", Body: "La canción más bonita del año, según los niños de España."},
		{ID: "ru", Language: "ru", Body: "Ёлка и йогурт: новогодняя ёлка стояла в музее, а мой герой ушёл."},
		{ID: "fr", Language: "fr", Body: "Les élèves étudiaient à l'école près du château."},
		{ID: "hu", Language: "hu", Body: "Az őszi időjárás miatt a gyümölcsök érése késik."},
	}
	for _, a := range texts {
		for _, p := range an.IndexArticle(a).Passages {
			derived := make(map[string]uint32)
			for term, tf := range p.Terms {
				if _, ok := FoldedTerm(term); ok {
					continue
				}
				if f := FoldedForm(term); f != term {
					derived[FoldedPrefix+f] += tf
				}
			}
			for term, tf := range p.Terms {
				if _, ok := FoldedTerm(term); ok && derived[term] != tf {
					t.Errorf("%s: %q: tf %d, derived %d", a.ID, term, tf, derived[term])
				}
			}
			for term, tf := range derived {
				if p.Terms[term] != tf {
					t.Errorf("%s: derived %q tf %d, analysis %d", a.ID, term, tf, p.Terms[term])
				}
			}
		}
	}
}
