from hallkeeper.cli import main

main()
