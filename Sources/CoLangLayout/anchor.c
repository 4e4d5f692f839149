// Pins where the dispatch loop (`VM.execute`) starts relative to a 64-byte cache line, in
// release builds.
//
// The same machine code of `execute` ran `bench/fib` and `bench/loop` 20-35% slower or faster
// depending only on its address modulo 64 (issue 17, tenth session; bench/README.md, "Code
// placement"): an unrelated change anywhere in the 12 MB of text moved it. The section
// ordering file (`Sources/colang-repl/startup.order`, written by `bench/startup-order`) names
// this anchor first and `execute` second, so `execute` starts exactly `ANCHOR_BYTES` past a
// 64-byte boundary whatever else changes. Changing `execute` itself can make another offset
// the fast one: try 16, 32, 48 and 0 (for 0, a 64-byte anchor; the `.skip` below is the size
// less one, and `.size` the size): `bench/anchor-sweep` builds and times the four.
// 32 was fastest until `LOCALS_MULTIPLY` and `LOCALS_SUBTRACT` came in; 16 since.
// `.ci/run` reads ANCHOR_BYTES from the line below and checks the release build against it.
//
// Written in assembly so that its size is exact whatever the compiler's flags; `main` calls
// it (a `ret`) once, which keeps `--gc-sections` from dropping it.
__asm__(
    ".pushsection .text.colang_dispatch_anchor,\"ax\",@progbits\n"
    ".p2align 6\n"
    ".globl colang_dispatch_anchor\n"
    ".type colang_dispatch_anchor,@function\n"
    "colang_dispatch_anchor:\n"
    "    ret\n"
    "    .skip 15, 0xcc\n"  // ANCHOR_BYTES = 16: int3 padding, never executed
    ".size colang_dispatch_anchor, 16\n"
    ".popsection\n");
