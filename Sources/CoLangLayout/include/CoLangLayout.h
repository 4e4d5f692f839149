// The anchor that pins the dispatch loop's alignment in release builds (see anchor.c).
#ifndef COLANG_LAYOUT_H
#define COLANG_LAYOUT_H

/// Does nothing. `main` calls it once so that the linker keeps it (see anchor.c).
void colang_dispatch_anchor(void);

#endif
