package main

import "errors"

func runGen(args []string, env *cmdEnv) error   { return errors.New("gen: under construction") }
func runTruth(args []string, env *cmdEnv) error { return errors.New("truth: under construction") }
