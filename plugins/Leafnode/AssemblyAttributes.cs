// The link's hot paths stackalloc scratch space for message lines; zeroing it on every message
// is wasted work since every byte used is written first (as in the kernel).
[module: System.Runtime.CompilerServices.SkipLocalsInit]
