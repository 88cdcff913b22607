"""planwatch: 规划目标监测督导平台 — from plan targets to monthly supervision briefings."""

__version__ = "0.1.0"
