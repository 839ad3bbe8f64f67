from lalisa.cli import main

main()
