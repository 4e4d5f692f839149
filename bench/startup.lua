-- startup: the cost of starting the interpreter and printing one line.
print(1)
