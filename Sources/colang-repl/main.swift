// Entry point of `colang`: parse the command line, then run a script, `-e` code, stdin or the REPL.
import CoLangLayout
import ColangCLI
import FoundationEssentials
import Glibc

colang_dispatch_anchor()  // keeps the anchor in the binary (Sources/CoLangLayout/anchor.c)
Signals.prepareProcess()
let status = Launcher.main(arguments: Array(CommandLine.arguments.dropFirst()))
Output.finish()
exit(status)
