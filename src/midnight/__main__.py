from midnight.cli import main

main()
