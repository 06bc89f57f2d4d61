System.Console.Error.WriteLine("usage: see the README of this project");
return 2;
