from podpub.cli import main

main()
