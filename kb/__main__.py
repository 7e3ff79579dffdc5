from kb.cli import main

main(prog_name="kb")
