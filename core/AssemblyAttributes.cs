// Hot paths stackalloc scratch space for control lines; zeroing it on every message is
// wasted work since every byte used is written first.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
