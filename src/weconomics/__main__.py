from weconomics.cli import main

main()
