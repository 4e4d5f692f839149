// GNU readline for the REPL; readline's headers need <stdio.h> (for FILE) included first.
#ifndef COLANG_CREADLINE_SHIM_H
#define COLANG_CREADLINE_SHIM_H
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>
#endif
