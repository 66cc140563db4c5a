// Package hashmix holds the 64-bit hash finalizer that hash joins, hash
// exchanges and HyperLogLog sketches share: the same function everywhere,
// so that a partition number or a sketch register means the same in every
// process.
package hashmix

// Mix64 is MurmurHash3's 64-bit finalizer: every input bit flips each
// output bit with probability close to one half, so the top bits make good
// partition numbers and register indexes.
func Mix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
