package render

import (
	"bytes"
	"math/bits"
)

// g3Encoder codes bitmap rows as ITU-T T.4 (Group 3 fax): every row is
// preceded by an EOL, the page ends with RTC (six EOLs), and no fill bits
// align the EOLs. With twoD, rows are coded 2-D (MR) with K = 4, the fine
// resolution's value: every fourth row 1-D, the others against the row
// above; each EOL is then followed by a tag bit saying which.
type g3Encoder struct {
	twoD bool
	out  []byte
	acc  uint64 // pending bits, the newest in the low end
	n    uint   // how many
	ref  []int  // changing elements of the previous row (2-D)
	cur  []int
}

const (
	eolCode = 0x001 // 0000 0000 0001
	eolBits = 12
	g3K     = 4
)

func (e *g3Encoder) put(code uint32, n uint) {
	e.acc = e.acc<<n | uint64(code)
	e.n += n
	if e.n >= 32 {
		e.n -= 32
		v := uint32(e.acc >> e.n)
		e.out = append(e.out, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
}

// page codes the rows of a width-pixel bitmap (0 white, 1 black, one byte
// per pixel) and returns the coded page; its bytes are valid until the next
// call. lsbFirst reverses each byte (TIFF FillOrder 2: the order in which
// fax modems send bits).
func (e *g3Encoder) page(pix []byte, stride, width, height int, lsbFirst bool) []byte {
	e.out, e.acc, e.n = e.out[:0], 0, 0
	e.ref = append(e.ref[:0], width, width)
	for y := range height {
		row := pix[y*stride : y*stride+width]
		e.put(eolCode, eolBits)
		if !e.twoD {
			e.row1D(row)
			continue
		}
		e.cur = changes(e.cur[:0], row)
		if y%g3K == 0 {
			e.put(1, 1)
			e.row1D(row)
		} else {
			e.put(0, 1)
			e.row2D(width)
		}
		e.ref, e.cur = e.cur, e.ref
	}
	for range 6 { // RTC
		e.put(eolCode, eolBits)
		if e.twoD {
			e.put(1, 1)
		}
	}
	// Flush, padding the last byte with zeros.
	for e.n >= 8 {
		e.n -= 8
		e.out = append(e.out, byte(e.acc>>e.n))
	}
	if e.n > 0 {
		e.out = append(e.out, byte(e.acc<<(8-e.n)))
		e.n = 0
	}
	if lsbFirst {
		for i, b := range e.out {
			e.out[i] = bits.Reverse8(b)
		}
	}
	return e.out
}

// row1D codes a row as alternating white and black runs, white first.
func (e *g3Encoder) row1D(row []byte) {
	x, w := 0, len(row)
	var color byte // 0 white
	for x < w {
		end := bytes.IndexByte(row[x:], color^1)
		if end < 0 {
			end = w
		} else {
			end += x
		}
		e.run(color, end-x)
		x = end
		color ^= 1
	}
}

// run codes one run length: make-up codes for the multiples of 64, then a
// terminating code.
func (e *g3Encoder) run(color byte, n int) {
	table := &whiteCodes
	if color == 1 {
		table = &blackCodes
	}
	for n >= 2560 {
		c := table[103]
		e.put(uint32(c.bits), uint(c.n))
		n -= 2560
	}
	if n >= 64 {
		c := table[63+n/64]
		e.put(uint32(c.bits), uint(c.n))
		n %= 64
	}
	c := table[n]
	e.put(uint32(c.bits), uint(c.n))
}

// changes lists a row's changing elements, the positions where the colour
// differs from the pixel before (an imaginary white one before the row),
// followed by two sentinels at the row's width. Even indexes turn black.
func changes(dst []int, row []byte) []int {
	x, w := 0, len(row)
	var color byte
	for {
		i := bytes.IndexByte(row[x:], color^1)
		if i < 0 {
			break
		}
		x += i
		dst = append(dst, x)
		color ^= 1
	}
	return append(dst, w, w)
}

// Mode codes of 2-D coding (T.4 Table 4).
var vertCodes = [7]code{ // a1 - b1 = -3 .. 3
	{0b0000010, 7}, {0b000010, 6}, {0b010, 3}, {0b1, 1}, {0b011, 3}, {0b000011, 6}, {0b0000011, 7},
}

// row2D codes e.cur against e.ref with the pass, vertical and horizontal
// modes of T.4 §4.2.1.3.
func (e *g3Encoder) row2D(width int) {
	cur, ref := e.cur, e.ref
	a0 := -1
	var color byte // colour of a0: 0 white
	ia, ib := 0, 0 // search starts in cur and ref
	for a0 < width {
		// a1: the first changing element right of a0.
		for cur[ia] <= a0 && cur[ia] < width {
			ia++
		}
		a1 := cur[ia]
		// b1: the first changing element on ref right of a0 and of the
		// colour opposite a0's, i.e. turning to color^1: even indexes
		// turn black.
		for ref[ib] <= a0 && ref[ib] < width {
			ib++
		}
		if ib&1 != int(color) {
			ib++
		}
		b1 := ref[min(ib, len(ref)-1)]
		b2 := ref[min(ib+1, len(ref)-1)]
		switch d := a1 - b1; {
		case b2 < a1: // pass
			e.put(0b0001, 4)
			a0 = b2
		case d >= -3 && d <= 3: // vertical
			c := vertCodes[d+3]
			e.put(uint32(c.bits), uint(c.n))
			a0 = a1
			color ^= 1
		default: // horizontal
			a2 := cur[min(ia+1, len(cur)-1)]
			e.put(0b001, 3)
			e.run(color, a1-max(a0, 0))
			e.run(color^1, a2-a1)
			a0 = a2
		}
		// ib may have passed a0's new position's b1 only by one step of
		// parity; step back so the next search can match either colour.
		if ib > 0 {
			ib--
		}
	}
}
