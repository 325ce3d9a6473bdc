"""warmstart's command-line tool: offline render of a stack under the Pulumi mock runtime."""
