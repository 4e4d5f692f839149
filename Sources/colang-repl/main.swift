// Entry point of `colang`: parse the command line, then run a script, `-e` code, stdin or the REPL.
import ColangCLI
import FoundationEssentials
import Glibc

Signals.prepareProcess()
let status = Launcher.main(arguments: Array(CommandLine.arguments.dropFirst()))
Output.finish()
exit(status)
