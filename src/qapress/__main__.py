from qapress.cli import main

main()
