from planwatch.cli import app

app()
