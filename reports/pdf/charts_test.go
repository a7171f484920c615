package pdf

import "testing"

// TestFitRange: a trend panel's axis fits its series so a small change is
// visible (issue 15: "scale small changes so they are visible"): 112 → 110
// spans at least a third of the panel, where an axis from 0 made it 2 %; the
// top gridline stays above the highest value, for its label; values near 0
// keep the axis at 0.
func TestFitRange(t *testing.T) {
	for _, tc := range []struct {
		values []int
		base   int
		zero   bool
	}{
		{values: []int{112, 110, 111}, base: 110},
		{values: []int{41, 36, 33, 35}, base: 32},
		{values: []int{3, 1, 2}, zero: true},
		{values: []int{0, 0}, zero: true},
		{values: nil, zero: true},
		{values: []int{5000, 5003}, base: 5000},
		{values: []int{125, 125}, base: 124}, // unchanged: mid-panel
	} {
		base, step, ticks := fitRange(tc.values)
		if step <= 0 || ticks <= 0 {
			t.Fatalf("%v: step %d, ticks %d", tc.values, step, ticks)
		}
		if tc.zero && base != 0 || !tc.zero && base != tc.base {
			t.Errorf("%v: axis from %d, want %d (zero %v)", tc.values, base, tc.base, tc.zero)
		}
		lo, hi := 1<<31, 0
		for _, v := range tc.values {
			lo, hi = min(lo, v), max(hi, v)
		}
		top := base + ticks*step
		if len(tc.values) > 0 && (base > lo || top <= hi) {
			t.Errorf("%v: axis %d..%d does not hold the values with headroom above the highest", tc.values, base, top)
		}
		if len(tc.values) > 0 && hi > lo && !tc.zero && float64(hi-lo)/float64(top-base) < 1.0/3 {
			t.Errorf("%v: the change spans %d of %d: too flat to see", tc.values, hi-lo, top-base)
		}
	}
}
