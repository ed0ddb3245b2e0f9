package signers

import (
	"hash/maphash"
	"math/bits"
)

// Dedup remembers which signers a list has already had, by an 8-byte hash
// of their letter.SignerKey and the line they were first seen on: about 14
// to 18 MB for a million signers, where a map of keys would take several
// times that. A 64-bit hash makes a false duplicate among a million signers
// about a 1 in 30 million chance.
type Dedup struct {
	seed  maphash.Seed
	hash  []uint64 // open addressing; 0 = empty slot
	line  []uint32
	count int
}

// NewDedup returns an empty Dedup.
func NewDedup() *Dedup {
	return &Dedup{seed: maphash.MakeSeed()}
}

// Seen records key at line and reports whether it was seen before, and on
// which line first.
func (d *Dedup) Seen(key string, line int) (first int, dup bool) {
	h := maphash.String(d.seed, key)
	if h == 0 {
		h = 1
	}
	if (d.count+1)*8 > len(d.hash)*7 {
		d.grow()
	}
	for i := d.slot(h); ; i = (i + 1) % len(d.hash) {
		switch d.hash[i] {
		case h:
			return int(d.line[i]), true
		case 0:
			d.hash[i], d.line[i] = h, uint32(line)
			d.count++
			return 0, false
		}
	}
}

// Line is the line key was first seen on, or 0 if it was not.
func (d *Dedup) Line(key string) int {
	if d.count == 0 {
		return 0
	}
	h := maphash.String(d.seed, key)
	if h == 0 {
		h = 1
	}
	for i := d.slot(h); ; i = (i + 1) % len(d.hash) {
		switch d.hash[i] {
		case h:
			return int(d.line[i])
		case 0:
			return 0
		}
	}
}

// Len is the number of distinct signers seen.
func (d *Dedup) Len() int { return d.count }

// slot maps a hash onto the table without needing a power-of-two size, so
// the table can grow by a quarter rather than double.
func (d *Dedup) slot(h uint64) int {
	hi, _ := bits.Mul64(h, uint64(len(d.hash)))
	return int(hi)
}

func (d *Dedup) grow() {
	oldHash, oldLine := d.hash, d.line
	n := max(1024, len(oldHash)+len(oldHash)/4)
	d.hash, d.line = make([]uint64, n), make([]uint32, n)
	for j, h := range oldHash {
		if h == 0 {
			continue
		}
		i := d.slot(h)
		for d.hash[i] != 0 {
			i = (i + 1) % n
		}
		d.hash[i], d.line[i] = h, oldLine[j]
	}
}
